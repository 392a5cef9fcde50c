import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import * as backend from "../backend";
import { ItemField } from "../components/ItemField";
import { useDraft } from "../components/useDraft";
import { useFieldErrors } from "../components/useFieldErrors";
import { useShell } from "../context";
import { localDay } from "../lib/format";
import {
  buildSteps,
  clampStep,
  firstMissing,
  missingOnStep,
  visibleItems,
  withToday,
} from "../lib/interviewSteps";
import { requiredMessage } from "../lib/validation";

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
  const { t, guard, setState } = useShell();
  const [pin, setPin] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const next = await guard(backend.setKioskPin(pin), setProblem);
    if (next) setState(next);
  };
  return (
    <section className="screen narrow" data-testid="screen-kiosk">
      <h1>{t.nav.kiosk}</h1>
      <p>{t.kiosk.needPin}</p>
      <form className="stack" onSubmit={submit}>
        <label>
          {t.kiosk.setPin}
          <input
            data-testid="kiosk-pin"
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))}
          />
        </label>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" data-testid="kiosk-pin-submit" disabled={pin === ""}>
          {t.kiosk.setPinSubmit}
        </button>
      </form>
    </section>
  );
}

function KioskLoop() {
  const { t, lang, form } = useShell();
  const { draft, open, setAnswer, replaceAnswers, setStep, submit, discard } = useDraft("kiosk");
  const { errors, check, set: setFieldError } = useFieldErrors();
  const [phase, setPhase] = useState<Phase>("start");
  const [exiting, setExiting] = useState(false);
  const [blocked, setBlocked] = useState<string | null>(null);
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
    for (const item of visibleItems(step, form, answers)) {
      if (!(await check(item, answers[item.id] ?? ""))) return;
    }
    const missing = missingOnStep(step, form, answers);
    if (missing) {
      setBlocked(requiredMessage(missing.id, lang));
      return;
    }
    if (!last) {
      goTo(index + 1);
      return;
    }
    const stillMissing = firstMissing(form, answers);
    if (stillMissing) {
      setBlocked(requiredMessage(stillMissing.id, lang));
      return;
    }
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
              const typed = item.kind.type !== "scored" && item.kind.type !== "choice";
              if (typed) setFieldError(item.id, null);
              setAnswer(item.id, v, typed ? "soon" : "now");
            }}
            onBlur={(v) => void check(item, v)}
          />
        ))}
      </div>
      {blocked && (
        <p className="field-error" role="alert">
          {blocked}
        </p>
      )}
      <div className="step-nav">
        <button type="button" className="huge" data-testid="back" disabled={index === 0} onClick={() => goTo(index - 1)}>
          ‹ {t.interview.back}
        </button>
        {last ? (
          <button type="button" className="primary huge" data-testid="save" disabled={busy} onClick={next}>
            {t.kiosk.send}
          </button>
        ) : (
          <button type="button" className="primary huge" data-testid="next" onClick={next}>
            {t.interview.next} ›
          </button>
        )}
      </div>
      {exiting && <ExitPrompt onCancel={() => setExiting(false)} />}
    </section>
  );
}

/** Staff leave the kiosk with its PIN; a wrong PIN stays put. */
function ExitPrompt({ onCancel }: { onCancel: () => void }) {
  const { t, guard, go } = useShell();
  const [pin, setPin] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    try {
      await backend.checkKioskPin(pin);
      go({ name: "home" });
    } catch (err) {
      // Every failure keeps the kiosk locked; the message says why.
      await guard(Promise.reject(err), setProblem);
      setPin("");
    }
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={t.kiosk.exit}>
      <form className="card stack" onSubmit={submit}>
        <label>
          {t.kiosk.pinPrompt}
          <input
            data-testid="kiosk-pin"
            type="password"
            inputMode="numeric"
            autoFocus
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))}
          />
        </label>
        {problem && (
          <p className="field-error" role="alert" data-testid="kiosk-pin-error">
            {problem}
          </p>
        )}
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
