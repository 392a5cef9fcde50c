import { useCallback, useState } from "react";
import { useShell } from "../context";

/**
 * One command behind a form: `busy` while it runs, and `problem` holds a refusal meant for the
 * form (invalid input, wrong PIN); other failures go where `guard` sends them.
 */
export function useAction() {
  const { guard } = useShell();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const run = useCallback(
    async <T>(work: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setProblem(null);
      const result = await guard(work(), setProblem);
      setBusy(false);
      return result;
    },
    [guard],
  );

  return { busy, problem, setProblem, run };
}
