// The paper-entry grid as plain data: which cells a row has and in what order, where focus
// goes after a keystroke, and what Enter does. A clerk types a whole stack without touching
// the mouse, so every rule here is about keeping their hands on the keys.
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";
import type { Language } from "../bindings/Language";
import type { PaperRow } from "../bindings/PaperRow";
import { isScored, parseDay } from "./items";
import { answerMessage, requiredMessage, serialMessage } from "./validation";

export const SERIAL = "serial";

export interface Column {
  /** `serial` or an item id. */
  id: string;
  item: ItemView | null;
}

/** A row being typed: raw text by column id. */
export type GridRow = Record<string, string>;

/**
 * Serial first, then the profile, then the unsur, then whatever the form asks after them
 * (the suggestion): the order the paper questionnaire is read in.
 */
export function columnsOf(form: FormView): Column[] {
  const items = form.items;
  const lastScored = items.reduce((last, item, i) => (isScored(item) ? i : last), -1);
  const profile = items.filter((item, i) => !isScored(item) && i < lastScored);
  const scored = items.filter(isScored);
  const after = items.filter((item, i) => !isScored(item) && i > lastScored);
  return [
    { id: SERIAL, item: null },
    ...[...profile, ...scored, ...after].map((item) => ({ id: item.id, item })),
  ];
}

export function emptyRow(columns: Column[]): GridRow {
  return Object.fromEntries(columns.map((c) => [c.id, ""]));
}

/** Cells whose value the item does not accept, with the message for each. */
export function cellErrors(columns: Column[], row: GridRow, lang: Language): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const c of columns) {
    if (!c.item) continue;
    const message = answerMessage(c.item, row[c.id] ?? "", lang);
    if (message) errors[c.id] = message;
  }
  return errors;
}

/** The message for the first bad cell in reading order, shown under the row as it is typed. */
export function rowError(columns: Column[], row: GridRow, lang: Language): string | null {
  const errors = cellErrors(columns, row, lang);
  const first = columns.find((c) => errors[c.id]);
  return first ? errors[first.id] : null;
}

/**
 * Whether the cell asks anything of this row: the detail of an "other" answer (e.g. which
 * other occupation) only when "other" was chosen. Cells that ask nothing are skipped.
 */
export function isAsked(columns: Column[], index: number, row: GridRow): boolean {
  const item = columns[index]?.item;
  if (!item) return true;
  const owner = columns.find((c) => c.item?.kind.type === "choice" && c.item.kind.other_item === item.id);
  if (!owner || owner.item?.kind.type !== "choice") return true;
  return (row[owner.id] ?? "").trim().toLowerCase() === (owner.item.kind.other ?? "").toLowerCase();
}

/**
 * Tab and Shift+Tab: the neighbouring cell the row asks for, or `null` at either end of the
 * row. Without a row every cell counts.
 */
export function move(columns: Column[], index: number, delta: 1 | -1, row?: GridRow): number | null {
  let next = index + delta;
  while (next >= 0 && next < columns.length) {
    if (!row || isAsked(columns, next, row)) return next;
    next += delta;
  }
  return null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * A cell's text as typed, made into the value it stands for: in a choice cell a single digit
 * that is no code of its own picks the option of that number (`3` is SMA in pendidikan), and
 * a code typed in any case is written as the form spells it.
 */
export function normalise(column: Column, value: string): string {
  const kind = column.item?.kind;
  if (kind?.type !== "choice") return value;
  const text = value.trim();
  const exact = kind.options.find((o) => same(o.code, text));
  if (exact) return exact.code;
  if (/^[1-9]$/.test(text)) {
    const n = Number(text);
    if (n <= kind.options.length) return kind.options[n - 1].code;
  }
  return value;
}

/**
 * Whether `value` is a complete answer that no further key could change into another valid
 * one — the cell is done and focus moves on without a Tab: an unsur digit, a choice's code
 * or option number, an age no digit can extend, a whole date.
 */
export function isComplete(column: Column, value: string): boolean {
  const item = column.item;
  if (!item) return false;
  const text = value.trim();
  switch (item.kind.type) {
    case "scored":
      return /^[1-4]$/.test(text);
    case "choice": {
      const options = item.kind.options;
      const code = normalise(column, text);
      if (!options.some((o) => o.code === code)) return false;
      // "S" in a list with "SD" and "S1" may still grow: only a code nothing extends is done.
      if (!same(code, text)) return true; // an option's number
      return !options.some((o) => o.code !== code && o.code.toLowerCase().startsWith(text.toLowerCase()));
    }
    case "integer": {
      if (!/^\d+$/.test(text)) return false;
      const n = Number(text);
      return n >= item.kind.min && n <= item.kind.max && n * 10 > item.kind.max;
    }
    case "date":
      return text.length >= 8 && parseDay(text) !== null;
    default:
      return false;
  }
}

/**
 * After the cell at `index` took `value`: the value to keep (see [`normalise`]) and the cell
 * to focus next, `null` to stay.
 */
export function afterTyping(
  columns: Column[],
  index: number,
  value: string,
  row: GridRow = {},
): { value: string; next: number | null } {
  const column = columns[index];
  if (!column || !isComplete(column, value)) return { value, next: null };
  const kept = normalise(column, value);
  return { value: kept, next: move(columns, index, 1, { ...row, [column.id]: kept }) };
}

/**
 * The serial the next sheet of a stack most likely has: the last one with its number one
 * higher, zeros kept (`K-009` → `K-010`); blank when it ends in no number.
 */
export function nextSerial(serial: string): string {
  const m = /^(.*?)(\d+)$/.exec(serial.trim());
  if (!m) return "";
  const n = String(Number(m[2]) + 1).padStart(m[2].length, "0");
  return `${m[1]}${n}`;
}

/**
 * The row a new sheet starts with after `previous` was saved: the next serial, and the same
 * survey date — a stack is one day's sheets. Both are selected on focus, so typing replaces them.
 */
export function nextRow(columns: Column[], previous: GridRow | null): GridRow {
  const row = emptyRow(columns);
  if (!previous) return row;
  row[SERIAL] = nextSerial(previous[SERIAL] ?? "");
  for (const c of columns) if (c.item?.kind.type === "date") row[c.id] = previous[c.id] ?? "";
  return row;
}

/** The answers that differ between a saved row and its edited copy: what an edit writes. */
export function changedAnswers(columns: Column[], saved: GridRow, edited: GridRow): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const c of columns) {
    if (!c.item) continue;
    const before = (saved[c.id] ?? "").trim();
    const after = (edited[c.id] ?? "").trim();
    if (before !== after) changes[c.id] = after;
  }
  return changes;
}

export function isBlank(row: GridRow): boolean {
  return Object.values(row).every((v) => v.trim() === "");
}

export type EnterAction =
  | { kind: "nothing" }
  | { kind: "blocked"; column: string; message: string }
  | { kind: "save"; row: PaperRow };

/**
 * Enter on any cell: a blank row does nothing; a row with a bad or missing value sends focus
 * to that cell with the message; a valid row is saved.
 */
export function enter(columns: Column[], row: GridRow, lang: Language): EnterAction {
  if (isBlank(row)) return { kind: "nothing" };
  const serial = (row[SERIAL] ?? "").trim();
  if (serial === "") return { kind: "blocked", column: SERIAL, message: serialMessage(lang) };
  const errors = cellErrors(columns, row, lang);
  for (const c of columns) {
    if (errors[c.id]) return { kind: "blocked", column: c.id, message: errors[c.id] };
    if (c.item?.required && (row[c.id] ?? "").trim() === "") {
      return { kind: "blocked", column: c.id, message: requiredMessage(c.id, lang) };
    }
  }
  const answers: Record<string, string> = {};
  for (const c of columns) if (c.item) answers[c.id] = (row[c.id] ?? "").trim();
  return { kind: "save", row: { serial, answers } };
}

/** Short header text for a column: unsur ids as they are, the serial as "No.". */
export function columnTitle(column: Column, serialTitle: string): string {
  return column.item ? column.item.id : serialTitle;
}
