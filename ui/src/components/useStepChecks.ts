import { useCallback, useState } from "react";
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";
import { useShell } from "../context";
import { firstMissing, missingOnStep, visibleItems, type Step } from "../lib/interviewSteps";
import { requiredMessage } from "../lib/validation";
import { useFieldErrors } from "./useFieldErrors";

/**
 * What keeps a respondent on a step: a typed answer the rules refuse (shown beside its field)
 * or a required item left empty (`blocked`, shown under the step).
 */
export function useStepChecks() {
  const { lang } = useShell();
  const fields = useFieldErrors();
  const { checkAll } = fields;
  const [blocked, setBlocked] = useState<string | null>(null);

  /** Blocks on a missing item; `true` when there is none. */
  const hold = useCallback(
    (missing: ItemView | null) => {
      if (missing) setBlocked(requiredMessage(missing.id, lang));
      return missing === null;
    },
    [lang],
  );

  /** Whether the answers on `step` let the respondent move on. */
  const canLeave = useCallback(
    async (step: Step, form: FormView, answers: Record<string, string>) =>
      (await checkAll(visibleItems(step, form, answers), answers)) && hold(missingOnStep(step, form, answers)),
    [checkAll, hold],
  );

  /** Whether every required item of the form has an answer. */
  const canSend = useCallback(
    (form: FormView, answers: Record<string, string>) => hold(firstMissing(form, answers)),
    [hold],
  );

  return { ...fields, blocked, setBlocked, canLeave, canSend };
}
