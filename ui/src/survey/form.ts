// The survey page's data as the server writes it into `#survey-data`: the link, and the unit's
// form in the serde shape of `simpul_survey::Form` (enums externally tagged: `{"Choice": {…}}`,
// `"Date"`), with a tagged view of an item's kind for the code that walks it.

/** A text in Bahasa Indonesia with its English form. */
export interface Text {
  id: string;
  en: string;
}

export type Lang = keyof Text;

export interface Choice {
  code: string;
  label: Text;
}

export type ItemKind =
  | { Scored: { unsur: string; options: Text[] } }
  | { Choice: { options: Choice[]; other: string | null; other_item: string | null } }
  | { Integer: { min: number; max: number } }
  | "Date"
  | { Text: { max_len: number } };

export interface Item {
  id: string;
  label: Text;
  kind: ItemKind;
  required: boolean;
  aliases?: string[];
}

export interface Form {
  id: string;
  version: number;
  method: string;
  title: Text;
  items: Item[];
}

export interface SurveyData {
  token: string;
  unit: { code: string; name: string };
  /** `null` when the link follows the unit's active period and none is open. */
  period: string | null;
  /** Set when the link is for one service: the page does not ask `layanan`. */
  service: string | null;
  /** A paper sheet's serial, when the page was opened from its QR code. */
  serial: string | null;
  closed: boolean;
  form: Form;
}

/** An item's kind as a tagged union, which a `switch` can walk. */
export type Kind =
  | { type: "scored"; options: Text[] }
  | { type: "choice"; options: Choice[]; other: string | null; otherItem: string | null }
  | { type: "integer"; min: number; max: number }
  | { type: "date" }
  | { type: "text"; maxLen: number };

export function kindOf(item: Item): Kind {
  const kind = item.kind;
  if (kind === "Date") return { type: "date" };
  if ("Scored" in kind) return { type: "scored", options: kind.Scored.options };
  if ("Choice" in kind) {
    const { options, other, other_item } = kind.Choice;
    return { type: "choice", options, other, otherItem: other_item };
  }
  if ("Integer" in kind) return { type: "integer", ...kind.Integer };
  return { type: "text", maxLen: kind.Text.max_len };
}

/** Item id to the answer as typed or tapped: a choice's code, a score "1"–"4", a number as text. */
export type Answers = Record<string, string>;
