import type { ConflictView } from "../bindings/ConflictView";
import { useShell } from "../context";
import { shownValue } from "../lib/format";

interface Props {
  conflict: ConflictView;
  testId: string;
  onChoose: (value: string) => void;
  busy?: boolean;
}

/** The differing values of one field side by side, each with who wrote it; one tap picks. */
export function ConflictChoices({ conflict, testId, onChoose, busy }: Props) {
  const { t } = useShell();
  return (
    <div className="conflict" data-testid={testId}>
      <div className="conflict-title">
        {conflict.serial && <span className="muted">{conflict.serial} · </span>}
        <strong>{conflict.field}</strong> — {conflict.label}
      </div>
      <div className="conflict-values">
        {conflict.values.map((v, index) => (
          <button
            key={index}
            type="button"
            className="conflict-value"
            data-testid={`choose-${index}`}
            data-value={v.value ?? ""}
            disabled={busy}
            onClick={() => onChoose(v.value ?? "")}
          >
            <span className="conflict-display">{shownValue(v.value, v.display) ?? t.conflict.empty}</span>
            <span className="conflict-by" data-testid="conflict-by">
              {t.conflict.by(v.by)}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
}

