import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import * as backend from "../backend";
import type { ConflictView } from "../bindings/ConflictView";
import type { ImportResult } from "../bindings/ImportResult";
import type { Saved } from "../bindings/Saved";
import { ConflictChoices } from "../components/ConflictChoices";
import { FieldError } from "../components/FieldError";
import { Tab, Tabs } from "../components/Tabs";
import { TextField } from "../components/TextField";
import { useAction } from "../components/useAction";
import { useShell } from "../context";
import { joinPath } from "../lib/format";
import {
  afterTyping,
  cellErrors,
  columnsOf,
  emptyRow,
  enter,
  move,
  rowError,
  type GridRow,
} from "../lib/paperGrid";

type Mode = "first" | "second";
type SavedLine = Saved & { serial: string };

/** Typing a stack of paper questionnaires, keyboard only; double entry; CSV import. */
export function PaperScreen() {
  const { t, guard } = useShell();
  const [mode, setMode] = useState<Mode>("first");
  const [conflicts, setConflicts] = useState<ConflictView[]>([]);
  const [resolving, setResolving] = useState(false);

  const refreshConflicts = useCallback(async () => {
    const list = await guard(backend.conflicts());
    if (list) setConflicts(list);
  }, [guard]);

  useEffect(() => {
    void refreshConflicts();
  }, [refreshConflicts]);

  const choose = async (c: ConflictView, value: string) => {
    setResolving(true);
    await guard(backend.resolveConflict(c.response, c.field, value));
    await refreshConflicts();
    setResolving(false);
  };

  return (
    <section className="screen paper" data-testid="screen-paper">
      <h1>{t.paper.title}</h1>
      <Tabs>
        <Tab data-testid="paper-mode-first" selected={mode === "first"} onSelect={() => setMode("first")}>
          {t.paper.first}
        </Tab>
        <Tab
          data-testid="paper-mode-second"
          selected={mode === "second"}
          onSelect={() => {
            setMode("second");
            void refreshConflicts();
          }}
        >
          {t.paper.second}
        </Tab>
      </Tabs>
      <p className="muted">{mode === "second" ? t.paper.secondHint : t.paper.hint}</p>
      <PaperGrid key={mode} onSaved={(s) => (mode === "second" || s.conflicts > 0) && void refreshConflicts()} />

      {(mode === "second" || conflicts.length > 0) && (
        <div className="card" data-testid="paper-conflicts">
          <h2>{t.paper.conflicts}</h2>
          {conflicts.length === 0 && <p className="muted">{t.paper.noConflicts}</p>}
          {conflicts.map((c) => (
            <ConflictChoices
              key={`${c.response}-${c.field}`}
              conflict={c}
              testId={`conflict-${c.response}-${c.field}`}
              busy={resolving}
              onChoose={(value) => void choose(c, value)}
            />
          ))}
        </div>
      )}

      <CsvImport />
    </section>
  );
}

function PaperGrid({ onSaved }: { onSaved: (saved: Saved) => void }) {
  const { t, lang, form, guard } = useShell();
  const columns = useMemo(() => (form ? columnsOf(form) : []), [form]);
  const [row, setRow] = useState<GridRow>({});
  // A message that outranks the live check: why Enter did not save (missing, or Rust said no).
  const [held, setHeld] = useState<{ text: string; column: string | null } | null>(null);
  const [saved, setSaved] = useState<SavedLine[]>([]);
  const [busy, setBusy] = useState(false);
  const inputs = useRef<(HTMLInputElement | null)[]>([]);

  useEffect(() => {
    setRow(emptyRow(columns));
    setHeld(null);
  }, [columns]);

  const focus = (index: number) => {
    const el = inputs.current[index];
    // Back to the serial means a new sheet: show the row from its start again.
    if (index === 0) el?.closest(".grid-scroll")?.scrollTo({ left: 0 });
    if (el) {
      el.focus();
      el.select();
    }
  };

  if (!form) return <p>{t.loading}</p>;

  const errors = cellErrors(columns, row, lang);
  const message = held?.text ?? rowError(columns, row, lang);

  const change = (index: number, value: string) => {
    setRow((prev) => ({ ...prev, [columns[index].id]: value }));
    setHeld(null);
    const next = afterTyping(columns, index, value);
    if (next !== null) focus(next);
  };

  const save = async () => {
    if (busy) return;
    const action = enter(columns, row, lang);
    if (action.kind === "nothing") return;
    if (action.kind === "blocked") {
      setHeld({ text: action.message, column: action.column });
      focus(columns.findIndex((c) => c.id === action.column));
      return;
    }
    setBusy(true);
    const refusal: { message: string | null } = { message: null };
    const result = await guard(backend.savePaperRow(action.row), (m) => (refusal.message = m));
    setBusy(false);
    if (result) {
      setSaved((prev) => [{ ...result, serial: action.row.serial }, ...prev]);
      setRow(emptyRow(columns));
      setHeld(null);
      onSaved(result);
      focus(0);
    } else if (refusal.message) {
      // The typed values stay so the clerk fixes one cell instead of retyping the row.
      setHeld({ text: refusal.message, column: null });
    }
  };

  const keyDown = (index: number, e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Tab") {
      const next = move(columns, index, e.shiftKey ? -1 : 1);
      if (next !== null) {
        e.preventDefault();
        focus(next);
      }
    } else if (e.key === "Enter") {
      e.preventDefault();
      void save();
    }
  };

  return (
    <>
      <div className="grid-scroll">
        <table className="paper-grid">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.id} scope="col" title={c.item?.label ?? t.paper.serial}>
                  {c.item ? c.id : t.paper.serial}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {columns.map((c, i) => {
                const bad = !!errors[c.id] || held?.column === c.id;
                const kind = c.item?.kind.type;
                return (
                  <td key={c.id} className={`cell cell-${kind ?? "serial"}`}>
                    <input
                      ref={(el) => {
                        inputs.current[i] = el;
                      }}
                      data-testid={c.item ? `paper-cell-${c.id}` : "paper-serial"}
                      aria-label={c.item ? `${c.id} — ${c.item.label}` : t.paper.serial}
                      aria-invalid={bad}
                      className={bad ? "bad" : undefined}
                      value={row[c.id] ?? ""}
                      inputMode={kind === "scored" || kind === "integer" ? "numeric" : "text"}
                      autoComplete="off"
                      spellCheck={false}
                      autoFocus={i === 0}
                      onFocus={(e) => e.target.select()}
                      onChange={(e) => change(i, e.target.value)}
                      onKeyDown={(e) => keyDown(i, e)}
                    />
                  </td>
                );
              })}
            </tr>
          </tbody>
        </table>
      </div>
      <div className="row-between">
        <p className="field-error" role="alert" data-testid="paper-row-error" hidden={!message}>
          {message}
        </p>
        <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
          {t.paper.saveRow} ⏎
        </button>
      </div>
      {saved.length > 0 && (
        <div className="card">
          <h2>{t.paper.saved}</h2>
          <ul className="saved-rows">
            {saved.map((s, i) => (
              <li key={`${s.id}-${i}`} data-testid="paper-saved-row" data-outcome={s.outcome}>
                <strong>{s.serial}</strong>
                <span className={`outcome outcome-${s.outcome}`}>{t.paper.outcome(s.outcome)}</span>
                <span className={s.conflicts > 0 ? "warn" : "muted"}>{t.paper.conflictsCount(s.conflicts)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

function CsvImport() {
  const { t, state } = useShell();
  const [path, setPath] = useState(() => joinPath(state.files_dir, ""));
  const [result, setResult] = useState<ImportResult | null>(null);
  const { busy, problem, run } = useAction();

  const importCsv = async () => {
    const r = await run(() => backend.importCsv(path.trim()));
    if (r) setResult(r);
  };

  return (
    <div className="card">
      <h2>{t.paper.csv}</h2>
      <div className="inline-form">
        <TextField
          label={t.paper.csvPath}
          labelClassName="grow"
          data-testid="csv-path"
          value={path}
          spellCheck={false}
          onChange={setPath}
        />
        <button
          type="button"
          className="primary"
          data-testid="csv-import"
          disabled={busy || path.trim() === ""}
          onClick={importCsv}
        >
          {t.paper.csvImport}
        </button>
      </div>
      <FieldError message={problem} />
      {result && (
        <>
          <p>{t.paper.csvSummary(result.created, result.merged, result.already_present, result.rejected)}</p>
          <ul className="csv-lines">
            {result.lines.map((l) =>
              l.error ? (
                <li key={l.line} className="bad-line" data-testid="csv-line-error" data-line={l.line}>
                  {t.paper.line(l.line)}
                  {l.serial ? ` (${l.serial})` : ""}: {l.error}
                </li>
              ) : (
                <li key={l.line} data-testid="csv-line" data-line={l.line}>
                  {t.paper.line(l.line)}
                  {l.serial ? ` (${l.serial})` : ""}: {l.outcome ? t.paper.outcome(l.outcome) : t.paper.ok}
                </li>
              ),
            )}
          </ul>
        </>
      )}
    </div>
  );
}
