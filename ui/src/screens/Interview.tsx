import { useCallback, useEffect, useMemo, useState } from "react";
import type { FormView } from "../bindings/FormView";
import { FieldError } from "../components/FieldError";
import { ItemField } from "../components/ItemField";
import { StepNav } from "../components/StepNav";
import { useDraft } from "../components/useDraft";
import { useStepChecks } from "../components/useStepChecks";
import { useShell } from "../context";
import {
  buildSteps,
  clampStep,
  reviewIndex,
  reviewItems,
  stepOfItem,
  visibleItems,
  withToday,
} from "../lib/interviewSteps";
import { localDay } from "../lib/format";
import { displayAnswer, isTyped } from "../lib/items";

const isDateItem = (form: FormView | null, id: string) =>
  form?.items.some((item) => item.id === id && item.kind.type === "date") ?? false;

/** Face-to-face interview: profile, each unsur, the suggestion, a review, then save. */
export function InterviewScreen() {
  const { t, form } = useShell();
  const { draft, open, setAnswer, replaceAnswers, setStep, submit, discard } = useDraft("interview");
  const { errors, check, set: setFieldError, blocked, setBlocked, canLeave, canSend } = useStepChecks();
  const [notice, setNotice] = useState<"saved" | "restored" | null>(null);
  const [busy, setBusy] = useState(false);
  // Two taps to throw an interview away: webviews do not all support window.confirm.
  const [confirming, setConfirming] = useState(false);
  const steps = useMemo(() => (form ? buildSteps(form, { onePerScreen: false }) : []), [form]);

  const begin = useCallback(async () => {
    const d = await open();
    if (!d || !form) return d;
    const filled = withToday(form, d.answers, localDay(new Date()));
    if (filled) replaceAnswers(filled);
    return d;
  }, [open, form, replaceAnswers]);

  useEffect(() => {
    void begin().then((d) => {
      if (d && Object.entries(d.answers).some(([k, v]) => v !== "" && !isDateItem(form, k))) {
        setNotice("restored");
      }
    });
    // Only when the screen opens or the form arrives; `begin` changes with the language.
  }, [form?.id]);

  if (!form || !draft || steps.length === 0) {
    return (
      <section className="screen" data-testid="screen-interview">
        {t.loading}
      </section>
    );
  }

  const answers = draft.answers;
  const index = clampStep(draft.step, steps);
  const step = steps[index];
  const lastIndex = reviewIndex(steps);

  const goTo = (next: number) => {
    setBlocked(null);
    setStep(clampStep(next, steps));
    window.scrollTo({ top: 0 });
  };

  const answer = (itemId: string, value: string, typed: boolean) => {
    setNotice(null);
    setBlocked(null);
    if (typed) setFieldError(itemId, null);
    setAnswer(itemId, value, typed ? "soon" : "now");
  };

  const next = async () => {
    if (await canLeave(step, form, answers)) goTo(index + 1);
  };

  const save = async () => {
    if (!canSend(form, answers)) return;
    setBusy(true);
    const saved = await submit(setBlocked);
    if (saved) {
      await begin();
      setNotice("saved");
      setBlocked(null);
    }
    setBusy(false);
  };

  const startOver = async () => {
    if (!confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    await discard();
    await begin();
    setNotice(null);
  };

  const title =
    step.kind === "profile"
      ? t.interview.profile
      : step.kind === "closing"
        ? t.interview.closing
        : step.kind === "review"
          ? t.interview.reviewTitle
          : step.items[0].id;

  return (
    <section className="screen interview" data-testid="screen-interview">
      {notice === "saved" && (
        <p className="toast" role="status" data-testid="saved-message">
          {t.interview.saved}
        </p>
      )}
      {notice === "restored" && (
        <p className="toast info" role="status">
          {t.interview.restored}
        </p>
      )}
      <div className="row-between">
        <h1>{title}</h1>
        <span className="muted">{t.interview.stepOf(index + 1, steps.length)}</span>
      </div>
      <div className="step-dots" aria-hidden="true">
        {steps.map((_, i) => (
          <span key={i} className={i === index ? "dot-step now" : i < index ? "dot-step done" : "dot-step"} />
        ))}
      </div>

      {step.kind === "review" ? (
        <div data-testid="screen-review" className="review">
          <ul className="review-list">
            {reviewItems(form, answers).map((item) => {
              const raw = answers[item.id] ?? "";
              const missing = item.required && raw.trim() === "";
              return (
                <li key={item.id} className={missing ? "review-item missing" : "review-item"} data-item={item.id}>
                  <div>
                    <div className="muted">{item.id}</div>
                    <div>{item.label}</div>
                  </div>
                  <strong>{raw.trim() === "" ? t.interview.unanswered : displayAnswer(item, raw)}</strong>
                  <button type="button" onClick={() => goTo(stepOfItem(steps, item.id))}>
                    {t.interview.change}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      ) : (
        <div className="step-body">
          {visibleItems(step, form, answers).map((item) => (
            <ItemField
              key={item.id}
              item={item}
              value={answers[item.id] ?? ""}
              large={step.kind === "unsur"}
              requiredLabel={t.interview.required}
              error={errors[item.id]}
              onChange={(v) => answer(item.id, v, isTyped(item))}
              onBlur={(v) => void check(item, v)}
            />
          ))}
        </div>
      )}

      <FieldError message={blocked} />

      <StepNav
        first={index === 0}
        last={step.kind === "review"}
        onBack={() => goTo(index - 1)}
        onNext={next}
        onSave={save}
        saveLabel={t.interview.save}
        busy={busy}
      >
        {step.kind !== "review" && (
          <button type="button" data-testid="review" onClick={() => goTo(lastIndex)}>
            {t.interview.review}
          </button>
        )}
      </StepNav>
      <button type="button" className="ghost small" onClick={startOver}>
        {confirming ? t.interview.discardConfirm : t.interview.discard}
      </button>
    </section>
  );
}
