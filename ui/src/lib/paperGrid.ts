// The paper-entry grid as plain data: which cells a row has and in what order, where focus
// goes after a keystroke, and what Enter does. A clerk types a whole stack without touching
// the mouse, so every rule here is about keeping their hands on the keys.
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";
import type { Language } from "../bindings/Language";
import type { PaperRow } from "../bindings/PaperRow";
import { isScored } from "./items";
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

/** Tab and Shift+Tab: the neighbouring cell, or `null` at either end of the row. */
export function move(columns: Column[], index: number, delta: 1 | -1): number | null {
  const next = index + delta;
  return next >= 0 && next < columns.length ? next : null;
}

/**
 * Where focus goes after the cell at `index` now holds `value`: a valid single digit in an
 * unsur cell is a complete answer, so the next cell is focused at once; anything else stays.
 */
export function afterTyping(columns: Column[], index: number, value: string): number | null {
  const column = columns[index];
  if (!column?.item || !isScored(column.item)) return null;
  if (!/^[1-4]$/.test(value)) return null;
  return index + 1 < columns.length ? index + 1 : null;
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
