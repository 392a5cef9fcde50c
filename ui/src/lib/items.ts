// What the window knows about form items without asking Rust: which control to draw and a
// local copy of the answer rules, so the paper grid can mark a bad cell as it is typed.
// Rust stays the judge on save (`check_answer`, `save_paper_row`); these rules mirror
// `simpul_survey::Form::parse_answer` closely enough never to refuse what Rust accepts.
import type { ChoiceView } from "../bindings/ChoiceView";
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";

/** The buttons a scored or choice item offers: code, and the label to show with it. */
export function optionsOf(item: ItemView): ChoiceView[] {
  switch (item.kind.type) {
    case "scored":
      return item.kind.options.map((label, i) => ({ code: String(i + 1), label, labels: [label] }));
    case "choice":
      return item.kind.options;
    default:
      return [];
  }
}

export const isScored = (item: ItemView) => item.kind.type === "scored";

/** Answered by typing rather than one tap: saved after a pause, and checked as it is typed. */
export const isTyped = (item: ItemView) => item.kind.type !== "scored" && item.kind.type !== "choice";

/** Items that hold the detail of another item's "other" answer, by the item they belong to. */
export function detailOwners(form: FormView): Map<string, { owner: string; code: string }> {
  const owners = new Map<string, { owner: string; code: string }>();
  for (const item of form.items) {
    if (item.kind.type === "choice" && item.kind.other_item && item.kind.other) {
      owners.set(item.kind.other_item, { owner: item.id, code: item.kind.other });
    }
  }
  return owners;
}

/** Shown unless it is the detail of an "other" answer that was not chosen. */
export function isRelevant(
  itemId: string,
  answers: Record<string, string>,
  owners: Map<string, { owner: string; code: string }>,
): boolean {
  const owner = owners.get(itemId);
  if (!owner) return true;
  return (answers[owner.owner] ?? "").trim().toLowerCase() === owner.code.toLowerCase();
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The day `raw` names as YYYY-MM-DD, if it exists: `30/11/2026`, `30-11-2026`, `30112026`
 * or `2026-11-30` — the forms the replica reads (`simpul_survey::parse_day`).
 */
export function parseDay(raw: string): string | null {
  const text = raw.trim();
  const forms: [RegExp, (m: RegExpExecArray) => [string, string, string]][] = [
    [/^(\d{4})-(\d{2})-(\d{2})$/, (m) => [m[1], m[2], m[3]]],
    [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, (m) => [m[3], m[2], m[1]]],
    [/^(\d{1,2})-(\d{1,2})-(\d{4})$/, (m) => [m[3], m[2], m[1]]],
    [/^(\d{2})(\d{2})(\d{4})$/, (m) => [m[3], m[2], m[1]]],
  ];
  for (const [pattern, parts] of forms) {
    const m = pattern.exec(text);
    if (!m) continue;
    const [y, mo, d] = parts(m).map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d));
    const exists =
      date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
    if (!exists) return null;
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${y}-${pad(mo)}-${pad(d)}`;
  }
  return null;
}

/**
 * Whether `raw` is an acceptable answer to `item`. Empty is acceptable here: whether an item
 * may stay unanswered is a separate question (`required`).
 */
export function accepts(item: ItemView, raw: string): boolean {
  const value = raw.trim();
  if (value === "") return true;
  switch (item.kind.type) {
    case "scored":
      return /^[1-4]$/.test(value);
    case "choice":
      return item.kind.options.some(
        (c) => sameText(c.code, value) || c.labels.some((label) => sameText(label, value)),
      );
    case "integer": {
      if (!/^[+-]?\d+$/.test(value)) return false;
      const n = Number(value);
      return n >= item.kind.min && n <= item.kind.max;
    }
    case "date":
      return parseDay(value) !== null;
    case "text":
      return [...value].length <= item.kind.max_len;
  }
}

/** An answer as a person reads it: "4 · Sangat sesuai" for options, the text otherwise. */
export function displayAnswer(item: ItemView, raw: string): string {
  const value = raw.trim();
  const option = optionsOf(item).find(
    (o) => sameText(o.code, value) || sameText(o.label, value),
  );
  return option ? `${option.code} · ${option.label}` : value;
}
