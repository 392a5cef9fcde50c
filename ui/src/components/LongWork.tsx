import { useCallback, useEffect, useRef, useState } from "react";
import * as backend from "../backend";
import type { WorkProgress } from "../bindings/WorkProgress";
import { useShell } from "../context";

/**
 * Runs an import or export that may take minutes: `progress` follows the `work` events while
 * it runs, and `cancel` asks Rust to stop at the next whole row. The command still answers,
 * saying what it did before it stopped.
 */
export function useLongWork() {
  const [progress, setProgress] = useState<WorkProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);

  useEffect(() => {
    if (!running) return;
    let stop: (() => void) | null = null;
    let live = true;
    void backend.onWork((p) => live && setProgress(p)).then((un) => {
      if (live) stop = un;
      else un();
    });
    return () => {
      live = false;
      stop?.();
    };
  }, [running]);

  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T> => {
    setProgress(null);
    setCancelling(false);
    setRunning(true);
    try {
      return await work();
    } finally {
      setRunning(false);
    }
  }, []);

  const cancel = useCallback(() => {
    setCancelling(true);
    void backend.cancelWork();
  }, []);

  return { running, progress, cancelling, run, cancel };
}

/** The bar and the cancel button of a running job; nothing when none runs. */
export function WorkBar({ work, testId }: { work: ReturnType<typeof useLongWork>; testId: string }) {
  const { t } = useShell();
  const bar = useRef<HTMLDivElement | null>(null);
  // The bar may appear below the fold (under a long grid): bring it into view.
  useEffect(() => {
    if (work.running) bar.current?.scrollIntoView({ block: "nearest" });
  }, [work.running]);
  if (!work.running) return null;
  const p = work.progress;
  return (
    <div className="work-bar" data-testid={testId} role="status" ref={bar}>
      <progress
        data-testid={`${testId}-progress`}
        value={p ? p.done : undefined}
        max={p ? Math.max(p.total, 1) : undefined}
        data-done={p?.done ?? 0}
      />
      <span data-testid={`${testId}-counts`}>{p ? t.work.progress(p.kind, p.done, p.total) : t.loading}</span>
      <button
        type="button"
        data-testid={`${testId}-cancel`}
        disabled={work.cancelling}
        onClick={work.cancel}
      >
        {work.cancelling ? t.work.cancelling : t.work.cancel}
      </button>
    </div>
  );
}
