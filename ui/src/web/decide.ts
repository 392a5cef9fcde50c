// A supervisor's decisions on one response: which review a form may send, and how a field in
// conflict is shown side by side.
import type { ReviewState, Written } from "./types";

export type ReviewCheck = { ok: true; note: string | null } | { ok: false; problem: "note_required" };

/** Rejecting needs a note saying why (the enumerator reads it on the device); other states
 * take one if given. */
export function checkReview(state: ReviewState, note: string): ReviewCheck {
  const trimmed = note.trim();
  if (state === "rejected" && trimmed === "") return { ok: false, problem: "note_required" };
  return { ok: true, note: trimmed === "" ? null : trimmed };
}

export interface ConflictChoice {
  value: string;
  by: string;
  /** ISO time, or null when the author's clock said nothing. */
  at: string | null;
}

/** One button per distinct value, in the order the server gives them (the same on every
 * replica); a cleared value cannot be chosen. */
export function conflictChoices(written: Written[]): ConflictChoice[] {
  const seen = new Set<string>();
  const out: ConflictChoice[] = [];
  for (const w of written) {
    if (w.value === null || seen.has(w.value)) continue;
    seen.add(w.value);
    out.push({
      value: w.value,
      by: w.by ?? "?",
      at: w.at === null || w.at <= 0 ? null : new Date(w.at).toISOString(),
    });
  }
  return out;
}

/** What one history entry wrote, as `field = value` lines; `answer` keys lose their `q.`. */
export function wroteLines(wrote: [string, string | null][]): string[] {
  return wrote.map(([key, value]) => `${key.startsWith("q.") ? key.slice(2) : key} = ${value ?? "∅"}`);
}
