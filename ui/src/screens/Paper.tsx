import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import * as backend from "../backend";
import type { ConflictView } from "../bindings/ConflictView";
import type { ImportResult } from "../bindings/ImportResult";
import type { Saved } from "../bindings/Saved";
import { ConflictChoices } from "../components/ConflictChoices";
import { FieldError } from "../components/FieldError";
import { Tab, Tabs } from "../components/Tabs";
import { TextField } from "../components/TextField";
import { useShell } from "../context";
import { joinPath } from "../lib/format";
import type { ChoiceView } from "../bindings/ChoiceView";
import type { Language } from "../bindings/Language";
import { useLongWork, WorkBar } from "../components/LongWork";
import { optionsOf } from "../lib/items";
import {
  afterTyping,
  cellErrors,
  changedAnswers,
  columnsOf,
  emptyRow,
  enter,
  isAsked,
  move,
  nextRow,
  rowError,
  SERIAL,
  type Column,
  type GridRow,
} from "../lib/paperGrid";
import { allowedText } from "../lib/validation";

type Mode = "first" | "second";

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

/** A sheet of the stack already saved, kept in the grid so a cell can be fixed in place. */
interface StackRow {
  id: string;
  /** The answers as saved: what an edit is compared against. */
  saved: GridRow;
  /** The row as it now stands in the grid. */
  row: GridRow;
  outcome: Saved["outcome"];
  conflicts: number;
}

function PaperGrid({ onSaved }: { onSaved: (saved: Saved) => void }) {
  const { t, lang, form, guard } = useShell();
  const columns = useMemo(() => (form ? columnsOf(form) : []), [form]);
  const [row, setRow] = useState<GridRow>({});
  // A message that outranks the live check: why Enter did not save (missing, or Rust said no).
  const [held, setHeld] = useState<{ text: string; column: string | null; at: number } | null>(null);
  const [stack, setStack] = useState<StackRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [focused, setFocused] = useState<{ row: number; column: number }>({ row: 0, column: 0 });
  const inputs = useRef(new Map<string, HTMLInputElement>());
  // A cell to focus once the grid has rendered the rows a save adds.
  const pending = useRef<[number, number] | null>(null);

  useEffect(() => {
    setRow(emptyRow(columns));
    setHeld(null);
  }, [columns]);

  useEffect(() => {
    if (!pending.current) return;
    const [r, i] = pending.current;
    // An earlier commit's effects may run after the save set this (a busy machine runs the
    // save's answer before them): wait for the commit that renders the cell.
    if (!inputs.current.has(`${r}:${i}`)) return;
    pending.current = null;
    focus(r, i);
  });

  // The entry row is the one below the stack.
  const entry = stack.length;

  const focus = (rowIndex: number, index: number) => {
    const el = inputs.current.get(`${rowIndex}:${index}`);
    if (el) {
      el.focus();
      el.select();
      // The whole grid in view (its header and the entry row), then the cell within it.
      el.closest(".grid-scroll")?.scrollIntoView({ block: "nearest" });
      el.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  };

  if (!form) return <p>{t.loading}</p>;

  const rowAt = (r: number) => (r === entry ? row : stack[r]?.row ?? {});
  const errorsAt = (r: number) => cellErrors(columns, rowAt(r), lang);
  const message = held?.text ?? rowError(columns, rowAt(Math.min(focused.row, entry)), lang);

  const setCell = (r: number, index: number, value: string) => {
    const update = (prev: GridRow) => ({ ...prev, [columns[index].id]: value });
    if (r === entry) setRow(update);
    else setStack((prev) => prev.map((s, i) => (i === r ? { ...s, row: update(s.row) } : s)));
  };

  const change = (r: number, index: number, typed: string) => {
    const { value, next } = afterTyping(columns, index, typed, rowAt(r));
    setCell(r, index, value);
    setHeld(null);
    if (next !== null) focus(r, next);
  };

  const saveNew = async () => {
    const action = enter(columns, row, lang);
    if (action.kind === "nothing") return;
    if (action.kind === "blocked") {
      setHeld({ text: action.message, column: action.column, at: entry });
      focus(entry, columns.findIndex((c) => c.id === action.column));
      return;
    }
    setBusy(true);
    const refusal: { message: string | null } = { message: null };
    const result = await guard(backend.savePaperRow(action.row), (m) => (refusal.message = m));
    setBusy(false);
    if (result) {
      const saved = { ...row };
      setStack((prev) => [
        ...prev,
        { id: result.id, saved, row: saved, outcome: result.outcome, conflicts: result.conflicts },
      ]);
      setRow(nextRow(columns, saved));
      setHeld(null);
      onSaved(result);
      // The new entry row renders one line lower: focus it once it is there.
      pending.current = [entry + 1, 0];
    } else if (refusal.message) {
      // The typed values stay so the clerk fixes one cell instead of retyping the row.
      setHeld({ text: refusal.message, column: null, at: entry });
    }
  };

  // A fix in a saved sheet is an edit of that response: only the changed cells are written.
  const saveEdit = async (r: number) => {
    const sheet = stack[r];
    const bad = columns.find((c) => errorsAt(r)[c.id]);
    if (bad) {
      setHeld({ text: errorsAt(r)[bad.id], column: bad.id, at: r });
      focus(r, columns.indexOf(bad));
      return;
    }
    const changes = changedAnswers(columns, sheet.saved, sheet.row);
    if (Object.keys(changes).length > 0) {
      setBusy(true);
      const refusal: { message: string | null } = { message: null };
      const result = await guard(backend.editResponse(sheet.id, changes), (m) => (refusal.message = m));
      setBusy(false);
      if (!result) {
        if (refusal.message) setHeld({ text: refusal.message, column: null, at: r });
        return;
      }
      setStack((prev) => prev.map((s, i) => (i === r ? { ...s, saved: { ...s.row }, conflicts: result.conflicts.length } : s)));
      setHeld(null);
    }
    focus(entry, 0);
  };

  const save = (r: number) => {
    if (busy) return;
    void (r === entry ? saveNew() : saveEdit(r));
  };

  const keyDown = (r: number, index: number, e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Tab") {
      const next = move(columns, index, e.shiftKey ? -1 : 1, rowAt(r));
      if (next !== null) {
        e.preventDefault();
        focus(r, next);
      }
    } else if (e.key === "Enter") {
      e.preventDefault();
      save(r);
    } else if (e.key === "ArrowUp" && r > 0) {
      e.preventDefault();
      focus(r - 1, index);
    } else if (e.key === "ArrowDown" && r < entry) {
      e.preventDefault();
      focus(r + 1, index);
    }
  };

  const fc = columns[focused.column];
  const choices = columns.filter((c) => c.item?.kind.type === "choice");

  const cells = (r: number) => {
    const current = rowAt(r);
    const errors = errorsAt(r);
    return columns.map((c, i) => {
      const bad = !!errors[c.id] || (held?.at === r && held.column === c.id);
      const kind = c.item?.kind.type ?? "serial";
      const asked = isAsked(columns, i, current);
      const testId = r === entry ? (c.item ? `paper-cell-${c.id}` : "paper-serial") : `paper-stack-${r}-${c.id}`;
      return (
        <td key={c.id} className={`cell cell-${kind}`}>
          <input
            ref={(el) => {
              if (el) inputs.current.set(`${r}:${i}`, el);
              else inputs.current.delete(`${r}:${i}`);
            }}
            data-testid={testId}
            aria-label={`${columnLabel(c, t.paper)}${r === entry ? "" : ` · ${stack[r].row[SERIAL]}`}`}
            aria-invalid={bad}
            className={bad ? "bad" : undefined}
            value={current[c.id] ?? ""}
            readOnly={r !== entry && !c.item}
            tabIndex={asked ? undefined : -1}
            data-asked={asked}
            inputMode={kind === "scored" || kind === "integer" || kind === "date" ? "numeric" : "text"}
            autoComplete="off"
            spellCheck={false}
            autoFocus={r === entry && i === 0 && stack.length === 0}
            onFocus={(e) => {
              // What the cell shows is the truth: a value cleared from outside the keyboard
              // (an assistive tool, a test driver) is taken as cleared, not redrawn.
              const shown = e.target.value;
              if (shown !== (current[c.id] ?? "")) setCell(r, i, shown);
              e.target.select();
              setFocused({ row: r, column: i });
            }}
            onChange={(e) => change(r, i, e.target.value)}
            onKeyDown={(e) => keyDown(r, i, e)}
          />
        </td>
      );
    });
  };

  return (
    <>
      <p className="stack-count" data-testid="paper-stack-count">
        {t.paper.stackCount(stack.length)}
      </p>
      <div className="grid-scroll">
        <table className="paper-grid">
          <colgroup>
            {columns.map((c) => (
              <col key={c.id} className={`col-${c.item?.kind.type ?? "serial"}`} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.id} scope="col" title={c.item?.label ?? t.paper.serial}>
                  {columnLabel(c, t.paper)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {stack.map((sheet, r) => (
              <tr
                key={sheet.id}
                className={`stack-row${Object.keys(changedAnswers(columns, sheet.saved, sheet.row)).length ? " edited" : ""}`}
                data-testid="paper-saved-row"
                data-outcome={sheet.outcome}
                data-serial={sheet.row[SERIAL]}
                title={`${t.paper.outcome(sheet.outcome)} · ${t.paper.conflictsCount(sheet.conflicts)}`}
              >
                {cells(r)}
              </tr>
            ))}
            <tr className="entry-row">{cells(entry)}</tr>
          </tbody>
        </table>
      </div>
      <div className="row-between">
        <p className="field-error" role="alert" data-testid="paper-row-error" hidden={!message}>
          {message}
        </p>
        <button type="button" className="primary" disabled={busy} onClick={() => save(entry)}>
          {t.paper.saveRow} ⏎
        </button>
      </div>
      {fc && (
        <p className="column-help" data-testid="paper-column-help" aria-live="polite">
          <strong>{fc.item ? fc.item.label : t.paper.serial}</strong>
          {" — "}
          {fc.item ? allowedInWords(fc, lang) : t.paper.serialHelp}
          {focused.row < entry && ` · ${t.paper.editHelp}`}
        </p>
      )}
      <dl className="code-legend" data-testid="paper-legend">
        {choices.map((c) => (
          <div key={c.id}>
            <dt>{columnLabel(c, t.paper)}</dt>
            <dd>{c.item && optionsOf(c.item).map((o, n) => optionWords(n + 1, o)).join(" · ")}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** What a cell accepts, in words: each option with its number and meaning. */
function allowedInWords(column: Column, lang: Language): string {
  const item = column.item;
  if (!item) return "";
  if (item.kind.type === "scored") return optionsOf(item).map((o) => `${o.code} ${o.label}`).join(" · ");
  if (item.kind.type === "choice") return optionsOf(item).map((o, n) => optionWords(n + 1, o)).join(" · ");
  return allowedText(item, lang);
}

/** An option as the legend shows it: the number that picks it, its code, its meaning. */
function optionWords(n: number, option: ChoiceView): string {
  const { code, label } = option;
  return label.toLowerCase().startsWith(code.toLowerCase()) ? `${n} ${label}` : `${n} ${code} (${label})`;
}

/** A column's header: a short word from the strings, else the unsur id, else the label. */
function columnLabel(column: Column, strings: { serial: string; short: Record<string, string> }): string {
  if (!column.item) return strings.serial;
  return strings.short[column.id] ?? (column.item.kind.type === "scored" ? column.id : column.item.label);
}

function CsvImport() {
  const { t, state, guard } = useShell();
  const [path, setPath] = useState(() => joinPath(state.files_dir, ""));
  const [result, setResult] = useState<ImportResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const work = useLongWork();

  const importCsv = async (file: string) => {
    setProblem(null);
    setResult(null);
    const r = await work.run(() => guard(backend.importCsv(file.trim()), setProblem));
    if (r) setResult(r);
  };

  const choose = async () => {
    const chosen = await guard(backend.chooseFileToOpen("csv", state.files_dir));
    if (chosen) {
      setPath(chosen);
      await importCsv(chosen);
    }
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
          disabled={work.running || path.trim() === ""}
          onClick={() => void importCsv(path)}
        >
          {t.paper.csvImport}
        </button>
        <button type="button" data-testid="csv-choose" disabled={work.running} onClick={() => void choose()}>
          {t.paper.csvChoose}
        </button>
      </div>
      <WorkBar work={work} testId="csv-work" />
      <FieldError message={problem} />
      {result && (
        <>
          <p
            data-testid="csv-summary"
            data-created={result.created}
            data-merged={result.merged}
            data-already-present={result.already_present}
            data-rejected={result.rejected}
            data-cancelled={result.cancelled}
          >
            {t.paper.csvSummary(result.created, result.merged, result.already_present, result.rejected)}
            {result.cancelled && ` — ${t.work.cancelledImport}`}
          </p>
          <ul className="csv-lines">
            {result.lines.slice(0, LINES_SHOWN).map((l) =>
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
          {result.lines.length > LINES_SHOWN && (
            <p className="muted">{t.paper.moreLines(result.lines.length - LINES_SHOWN)}</p>
          )}
        </>
      )}
    </div>
  );
}

/**
 * Lines listed after an import: the refused ones first matter most, and ten thousand list
 * items would slow the window down for nothing.
 */
const LINES_SHOWN = 500;
