import type { ItemView } from "../bindings/ItemView";
import { optionsOf } from "../lib/items";

interface Props {
  item: ItemView;
  value: string;
  onChange: (value: string) => void;
  /** Typed fields are checked when the person leaves them, not on every keystroke. */
  onBlur?: (value: string) => void;
  error?: string | null;
  /** Kiosk: bigger type, the question as the page title. */
  large?: boolean;
  requiredLabel?: string;
}

/** One form item: big answer buttons for scored and choice items, an input otherwise. */
export function ItemField({ item, value, onChange, onBlur, error, large, requiredLabel }: Props) {
  const options = optionsOf(item);
  const labelId = `label-${item.id}`;
  const errorId = `error-${item.id}`;
  const kind = item.kind;
  return (
    <div className={large ? "field field-large" : "field"}>
      <div className="field-label" id={labelId}>
        {kind.type === "scored" && <span className="unsur-badge">{item.id}</span>}
        <span>{item.label}</span>
        {item.required && requiredLabel && <span className="required"> ({requiredLabel})</span>}
      </div>
      {options.length > 0 ? (
        <div
          className={kind.type === "scored" ? "answers answers-scored" : "answers"}
          role="radiogroup"
          aria-labelledby={labelId}
        >
          {options.map((o) => {
            const chosen = value.toLowerCase() === o.code.toLowerCase();
            return (
              <button
                key={o.code}
                type="button"
                role="radio"
                aria-checked={chosen}
                className={chosen ? "answer chosen" : "answer"}
                data-testid={`answer-${item.id}-${o.code}`}
                // Tapping the chosen answer again clears it, so a mistaken tap on an optional
                // question can be undone.
                onClick={() => onChange(chosen && !item.required ? "" : o.code)}
              >
                {kind.type === "scored" ? (
                  <>
                    <span className="answer-code">{o.code}</span>
                    <span className="answer-label">{o.label}</span>
                  </>
                ) : (
                  <>
                    <span className="answer-choice">{o.label}</span>
                    {o.code.toLowerCase() !== o.label.toLowerCase() && (
                      <span className="answer-label muted-on">{o.code}</span>
                    )}
                  </>
                )}
              </button>
            );
          })}
        </div>
      ) : kind.type === "text" && kind.max_len > 200 ? (
        <textarea
          data-testid={`input-${item.id}`}
          aria-labelledby={labelId}
          aria-invalid={!!error}
          aria-describedby={error ? errorId : undefined}
          value={value}
          maxLength={kind.max_len}
          rows={large ? 5 : 3}
          onChange={(e) => onChange(e.target.value)}
          onBlur={(e) => onBlur?.(e.target.value)}
        />
      ) : (
        <input
          data-testid={`input-${item.id}`}
          aria-labelledby={labelId}
          aria-invalid={!!error}
          aria-describedby={error ? errorId : undefined}
          value={value}
          inputMode={kind.type === "integer" ? "numeric" : "text"}
          placeholder={kind.type === "date" ? "30/11/2026" : undefined}
          maxLength={kind.type === "text" ? kind.max_len : undefined}
          onChange={(e) => onChange(e.target.value)}
          onBlur={(e) => onBlur?.(e.target.value)}
        />
      )}
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
