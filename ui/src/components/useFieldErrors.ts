import { useCallback, useState } from "react";
import * as backend from "../backend";
import type { ItemView } from "../bindings/ItemView";
import { useShell } from "../context";
import { answerMessage } from "../lib/validation";

/**
 * Messages shown beside typed fields. The local rules catch the obvious at once; Rust's
 * `check_answer` has the last word, so both sides never disagree about what is allowed.
 */
export function useFieldErrors() {
  const { lang, guard } = useShell();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const set = useCallback((id: string, message: string | null) => {
    setErrors((prev) => {
      if (message === null) {
        if (!(id in prev)) return prev;
        const { [id]: _gone, ...rest } = prev;
        return rest;
      }
      return { ...prev, [id]: message };
    });
  }, []);

  const check = useCallback(
    async (item: ItemView, raw: string) => {
      const local = answerMessage(item, raw, lang);
      if (local || raw.trim() === "") {
        set(item.id, local);
        return local === null;
      }
      const message = await guard(backend.checkAnswer(item.id, raw));
      set(item.id, message ?? null);
      return !message;
    },
    [guard, lang, set],
  );

  /** Checks each item in turn and stops at the first refusal; `true` when every answer passes. */
  const checkAll = useCallback(
    async (items: ItemView[], answers: Record<string, string>) => {
      for (const item of items) {
        if (!(await check(item, answers[item.id] ?? ""))) return false;
      }
      return true;
    },
    [check],
  );

  return { errors, check, checkAll, set };
}
