// The review queue's filters: what the page holds, the query the API reads, and the choices
// each select offers from the responses at hand.
import type { ResponseSummary, ReviewState } from "./types";

export const REVIEW_STATES: readonly ReviewState[] = ["received", "has-issues", "approved", "rejected"];

export interface QueueFilter {
  state: ReviewState | "";
  period: string;
  channel: string;
  service: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
}

export const EMPTY_FILTER: QueueFilter = { state: "", period: "", channel: "", service: "", from: "", to: "" };

/** `?state=…&…` with only the filters set, in a fixed order; `""` when none is. */
export function queueQuery(filter: QueueFilter): string {
  const params = new URLSearchParams();
  for (const key of ["state", "period", "channel", "service", "from", "to"] as const) {
    const value = filter[key].trim();
    if (value !== "") params.set(key, value);
  }
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** The distinct values of one column, sorted, for a filter's choices. The chosen value stays
 * offered even when the filtered list no longer holds another. */
export function choices(rows: ResponseSummary[], pick: (row: ResponseSummary) => string | null, chosen = ""): string[] {
  const values = new Set<string>();
  for (const row of rows) {
    const value = pick(row);
    if (value) values.add(value);
  }
  if (chosen) values.add(chosen);
  return [...values].sort((a, b) => a.localeCompare(b));
}

/** The response's label in lists: its paper serial, else the start of its id. */
export function responseLabel(row: Pick<ResponseSummary, "id" | "serial">): string {
  return row.serial ? `#${row.serial}` : row.id.slice(0, 8);
}

/** The rows a bulk approval takes: final, not deleted, and not yet approved or rejected.
 * A rejection is never overturned in bulk; it needs its own look. */
export function approvable(rows: ResponseSummary[]): string[] {
  return rows
    .filter((row) => row.status === "final" && !row.deleted && (row.review === "received" || row.review === "has-issues"))
    .map((row) => row.id);
}
