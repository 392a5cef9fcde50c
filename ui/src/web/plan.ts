// The follow-up plan (RTL) and narrative page's state: rows as the form holds them, and the
// bodies the API reads. The server checks everything again and names any field it refuses.
import type { NarrativePart, PlanView, Quarter } from "./types";

export const QUARTERS: readonly Quarter[] = ["I", "II", "III", "IV"];

export interface PlanRow {
  unsur: string;
  program: string;
  quarters: Quarter[];
  responsible: string;
}

export interface FollowUpRow {
  no: number;
  done: boolean;
  description: string;
}

/** A new row, on the weakest unsur: the usual priority. */
export function newRow(view: Pick<PlanView, "weakest" | "unsur">): PlanRow {
  return { unsur: view.weakest ?? view.unsur[0]?.id ?? "U1", program: "", quarters: [], responsible: "" };
}

export function rowsOf(view: PlanView): PlanRow[] {
  return view.items.map(({ unsur, program, quarters, responsible }) => ({ unsur, program, quarters, responsible }));
}

export function followUpsOf(view: PlanView): FollowUpRow[] {
  return (view.previous?.items ?? []).map((item) => ({
    no: item.no,
    done: item.done ?? false,
    description: item.description ?? "",
  }));
}

/** Adds or removes a quarter, keeping them in order. */
export function toggleQuarter(quarters: Quarter[], quarter: Quarter): Quarter[] {
  const next = quarters.includes(quarter) ? quarters.filter((q) => q !== quarter) : [...quarters, quarter];
  return QUARTERS.filter((q) => next.includes(q));
}

/** The body of `PUT …/plan`. */
export function planBody(fkpDate: string, rows: PlanRow[], followUps: FollowUpRow[]) {
  return {
    fkp_date: fkpDate.trim() === "" ? null : fkpDate.trim(),
    items: rows,
    follow_ups: followUps,
  };
}

/** The body of `PUT …/narrative`: each edited part's text, or `null` when it equals the
 * default again (the default then follows the results). */
export function narrativeBody(parts: NarrativePart[], edited: Record<string, string>): Record<string, string | null> {
  const body: Record<string, string | null> = {};
  for (const part of parts) {
    const text = edited[part.field];
    if (text === undefined || text === (part.value ?? part.default)) continue;
    body[part.field] = text.trim() === "" || text === part.default ? null : text;
  }
  return body;
}

/** The address of a unit's report in one format, for one period or the active one. */
export function reportHref(code: string, format: "pdf" | "xlsx", period: string): string {
  const base = `/api/v1/units/${encodeURIComponent(code)}/report.${format}`;
  return period ? `${base}?period=${encodeURIComponent(period)}` : base;
}
