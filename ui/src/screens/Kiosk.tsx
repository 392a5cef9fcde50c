import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import * as backend from "../backend";
import { FieldError } from "../components/FieldError";
import { ItemField } from "../components/ItemField";
import { StepNav } from "../components/StepNav";
import { PinField } from "../components/TextField";
import { useAction } from "../components/useAction";
import { useDraft } from "../components/useDraft";
import { useStepChecks } from "../components/useStepChecks";
import { useShell } from "../context";
import { localDay } from "../lib/format";
import { buildSteps, clampStep, visibleItems, withToday } from "../lib/interviewSteps";
import { isTyped } from "../lib/items";

type Phase = "start" | "questions" | "thanks";

/** The thank-you page clears itself so the next person finds the start page. */
const THANKS_MS = 5000;
/** A respondent who walks away mid-survey should not hand their answers to the next one. */
const IDLE_MS = 120_000;

/** Self-service at the counter: one question per screen, leaving needs the kiosk PIN. */
export function KioskScreen() {
  const { state } = useShell();
  if (!state.kiosk_pin_set) return <SetKioskPin />;
  return <KioskLoop />;
}

/** The enumerator picks the PIN that will let staff (not respondents) leave the kiosk. */
function SetKioskPin() {
  const { t, setState } = useShell();
  const [pin, setPin] = useState("");
  const { problem, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const next = await run(() => backend.setKioskPin(pin));
    if (next) setState(next);
  };
  return (
    <section className="screen narrow" data-testid="screen-kiosk">
      <h1>{t.nav.kiosk}</h1>
      <p>{t.kiosk.needPin}</p>
      <form className="stack" onSubmit={submit}>
        <PinField
          label={t.kiosk.setPin}
          data-testid="kiosk-pin"
          autoComplete="new-password"
          value={pin}
          onChange={setPin}
        />
        <FieldError message={problem} />
        <button type="submit" className="primary" data-testid="kiosk-pin-submit" disabled={pin === ""}>
          {t.kiosk.setPinSubmit}
        </button>
      </form>
    </section>
  );
}

function KioskLoop() {
  const { t, form } = useShell();
  const { draft, open, setAnswer, replaceAnswers, setStep, submit, discard } = useDraft("kiosk");
  const { errors, check, set: setFieldError, blocked, setBlocked, canLeave, canSend } = useStepChecks();
  const [phase, setPhase] = useState<Phase>("start");
  const [exiting, setExiting] = useState(false);
  const [busy, setBusy] = useState(false);
  // No review page for respondents: the last question's button sends.
  const steps = useMemo(
    () => (form ? buildSteps(form, { onePerScreen: true, skipDates: true }).filter((s) => s.kind !== "review") : []),
    [form],
  );
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reset = useCallback(() => {
    setPhase("start");
    setBlocked(null);
  }, []);

  useEffect(() => {
    if (phase !== "thanks") return;
    const timer = setTimeout(reset, THANKS_MS);
    return () => clearTimeout(timer);
  }, [phase, reset]);

  const touch = useCallback(() => {
    clearTimeout(idle.current);
    if (phase !== "questions") return;
    idle.current = setTimeout(() => {
      void discard().then(reset);
    }, IDLE_MS);
  }, [phase, discard, reset]);
  useEffect(() => {
    touch();
    return () => clearTimeout(idle.current);
  }, [touch]);

  const start = async () => {
    const d = await open();
    if (!d || !form) return;
    const filled = withToday(form, d.answers, localDay(new Date()));
    if (filled) replaceAnswers(filled);
    setPhase("questions");
  };

  if (phase === "thanks") {
    return (
      <section className="screen kiosk kiosk-thanks" data-testid="screen-kiosk-thanks" onClick={reset}>
        <h1>{t.kiosk.thanks}</h1>
        <p className="kiosk-lead">{t.kiosk.thanksBody}</p>
        <button type="button" className="primary huge" data-testid="kiosk-again" onClick={reset}>
          {t.kiosk.again}
        </button>
      </section>
    );
  }

  const exitButton = (
    <button type="button" className="ghost kiosk-exit" data-testid="kiosk-exit" onClick={() => setExiting(true)}>
      {t.kiosk.exit}
    </button>
  );

  if (phase === "start" || !form || !draft || steps.length === 0) {
    return (
      <section className="screen kiosk" data-testid="screen-kiosk">
        {exitButton}
        <h1>{form?.title ?? t.kiosk.title}</h1>
        <p className="kiosk-lead">{t.kiosk.welcome}</p>
        <button type="button" className="primary huge" data-testid="kiosk-start" onClick={start}>
          {t.kiosk.start}
        </button>
        {exiting && <ExitPrompt onCancel={() => setExiting(false)} />}
      </section>
    );
  }

  const answers = draft.answers;
  const index = clampStep(draft.step, steps);
  const step = steps[index];
  const last = index === steps.length - 1;

  const goTo = (next: number) => {
    setBlocked(null);
    setStep(clampStep(next, steps));
  };

  const next = async () => {
    if (!(await canLeave(step, form, answers))) return;
    if (!last) {
      goTo(index + 1);
      return;
    }
    if (!canSend(form, answers)) return;
    setBusy(true);
    const saved = await submit(setBlocked);
    setBusy(false);
    if (saved) setPhase("thanks");
  };

  return (
    <section className="screen kiosk" data-testid="screen-kiosk" onPointerDown={touch} onKeyDown={touch}>
      {exitButton}
      <div className="kiosk-progress" aria-hidden="true">
        <div style={{ width: `${((index + 1) / steps.length) * 100}%` }} />
      </div>
      <div className="step-body">
        {visibleItems(step, form, answers).map((item) => (
          <ItemField
            key={item.id}
            item={item}
            large
            value={answers[item.id] ?? ""}
            error={errors[item.id]}
            onChange={(v) => {
              setBlocked(null);
              const typed = isTyped(item);
              if (typed) setFieldError(item.id, null);
              setAnswer(item.id, v, typed ? "soon" : "now");
            }}
            onBlur={(v) => void check(item, v)}
          />
        ))}
      </div>
      <FieldError message={blocked} />
      <StepNav
        huge
        first={index === 0}
        last={last}
        onBack={() => goTo(index - 1)}
        onNext={next}
        onSave={next}
        saveLabel={t.kiosk.send}
        busy={busy}
      />
      {exiting && <ExitPrompt onCancel={() => setExiting(false)} />}
    </section>
  );
}

/** Staff leave the kiosk with its PIN; a wrong PIN stays put. */
function ExitPrompt({ onCancel }: { onCancel: () => void }) {
  const { t, go } = useShell();
  const [pin, setPin] = useState("");
  const { problem, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const accepted = await run(() => backend.checkKioskPin(pin).then(() => true));
    if (accepted) {
      go({ name: "home" });
    } else {
      // Every failure keeps the kiosk locked; the message says why.
      setPin("");
    }
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={t.kiosk.exit}>
      <form className="card stack" onSubmit={submit}>
        <PinField label={t.kiosk.pinPrompt} data-testid="kiosk-pin" autoFocus value={pin} onChange={setPin} />
        <FieldError message={problem} data-testid="kiosk-pin-error" />
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t.cancel}
          </button>
          <button type="submit" className="primary" data-testid="kiosk-pin-submit" disabled={pin === ""}>
            {t.kiosk.pinSubmit}
          </button>
        </div>
      </form>
    </div>
  );
}
