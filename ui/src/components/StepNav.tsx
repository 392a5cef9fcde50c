import type { ReactNode } from "react";
import { useShell } from "../context";

interface Props {
  /** The first step has nowhere to go back to. */
  first: boolean;
  /** On the last step the forward button saves instead of moving on. */
  last: boolean;
  onBack: () => void;
  onNext: () => void;
  onSave: () => void;
  saveLabel: string;
  busy: boolean;
  /** The kiosk's big buttons. */
  huge?: boolean;
  /** Buttons between back and forward. */
  children?: ReactNode;
}

/** Back, then forward: next on every step, save on the last. */
export function StepNav({ first, last, onBack, onNext, onSave, saveLabel, busy, huge, children }: Props) {
  const { t } = useShell();
  const size = huge ? "huge" : undefined;
  const forward = huge ? "primary huge" : "primary";
  return (
    <div className="step-nav">
      <button type="button" className={size} data-testid="back" disabled={first} onClick={onBack}>
        ‹ {t.interview.back}
      </button>
      {children}
      {last ? (
        <button type="button" className={forward} data-testid="save" disabled={busy} onClick={onSave}>
          {saveLabel}
        </button>
      ) : (
        <button type="button" className={forward} data-testid="next" onClick={onNext}>
          {t.interview.next} ›
        </button>
      )}
    </div>
  );
}
