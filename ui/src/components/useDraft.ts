import { useCallback, useEffect, useRef, useState } from "react";
import * as backend from "../backend";
import type { Channel } from "../bindings/Channel";
import type { Draft } from "../bindings/Draft";
import { useShell } from "../context";

/**
 * The draft of an interview or kiosk session, written to Rust after every answer so closing
 * the app (or a flat battery) loses nothing. Saves go one after another in order, so a slow
 * write can never overwrite a newer one; typing in a text field is saved after a short pause.
 */
export function useDraft(channel: Channel) {
  const { guard } = useShell();
  const [draft, setDraft] = useState<Draft | null>(null);
  const latest = useRef<Draft | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const snapshot = latest.current;
    if (snapshot) queue.current = queue.current.then(() => guard(backend.draftSave(snapshot)));
    return queue.current;
  }, [guard]);

  const replace = (next: Draft | null) => {
    latest.current = next;
    setDraft(next);
  };

  const open = useCallback(async () => {
    const opened = await guard(backend.draftOpen(channel));
    replace(opened ?? null);
    return opened ?? null;
  }, [guard, channel]);

  const update = useCallback(
    (patch: Partial<Pick<Draft, "answers" | "step">>, when: "now" | "soon") => {
      if (!latest.current) return;
      replace({ ...latest.current, ...patch });
      if (when === "now") void flush();
      else {
        clearTimeout(timer.current);
        timer.current = setTimeout(() => void flush(), 400);
      }
    },
    [flush],
  );

  const setAnswer = useCallback(
    (item: string, value: string, when: "now" | "soon" = "now") => {
      if (!latest.current) return;
      update({ answers: { ...latest.current.answers, [item]: value } }, when);
    },
    [update],
  );

  const replaceAnswers = useCallback(
    (answers: Record<string, string>) => update({ answers }, "now"),
    [update],
  );

  const setStep = useCallback((step: number) => update({ step }, "now"), [update]);

  /** Saves what is pending, then turns the draft into a response. */
  const submit = useCallback(
    async (field?: (message: string) => void) => {
      const current = latest.current;
      if (!current) return undefined;
      await flush();
      return guard(backend.draftSubmit(current.id), field);
    },
    [flush, guard],
  );

  const discard = useCallback(async () => {
    const current = latest.current;
    if (!current) return;
    clearTimeout(timer.current);
    await queue.current;
    await guard(backend.draftDiscard(current.id));
  }, [guard]);

  // Leaving the screen mid-word still keeps the word.
  useEffect(() => () => void (timer.current !== undefined && flush()), [flush]);

  return { draft, open, setAnswer, replaceAnswers, setStep, submit, discard, flush };
}
