// The questionnaire a respondent is part-way through, kept on the phone. A phone short of
// memory reloads a tab it had put aside, and people close a tab by mistake; opening the link
// again then offers to carry on at the same question with the answers given. One draft per
// link and paper sheet. It goes when the set is sent (the set is then in the outbox), when the
// respondent starts afresh, and after a day, when someone else may be holding the phone.
import type { Answers } from "./form";

export const DRAFT_PREFIX = "simpul-survey-draft:";

/** After this long a draft is someone else's business: dropped, never offered. */
export const DRAFT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface Draft {
  answers: Answers;
  /** The question on screen when it was saved. */
  current: string | null;
  /** Milliseconds since the epoch. */
  saved_at: number;
}

type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The storage key of the draft for this link and, when opened from one, paper sheet. */
export function draftKey(token: string, serial: string | null): string {
  return `${DRAFT_PREFIX}${token}${serial ? `|${serial}` : ""}`;
}

/** The draft under `key`, unless there is none, it is unreadable, empty or too old. */
export function loadDraft(storage: Store | null, key: string, now = Date.now()): Draft | null {
  let draft: Draft;
  try {
    draft = JSON.parse(storage?.getItem(key) ?? "null") as Draft;
  } catch {
    return null;
  }
  const fresh = typeof draft?.saved_at === "number" && now - draft.saved_at < DRAFT_MAX_AGE_MS;
  const answers = draft?.answers;
  if (!fresh || typeof answers !== "object" || answers === null) {
    dropDraft(storage, key);
    return null;
  }
  const given = Object.entries(answers).filter(([, value]) => typeof value === "string" && value !== "");
  if (given.length === 0) return null;
  return {
    answers: Object.fromEntries(given) as Answers,
    current: typeof draft.current === "string" ? draft.current : null,
    saved_at: draft.saved_at,
  };
}

/** Keeps the draft; a browser that will not store it (private mode, full) simply keeps none. */
export function saveDraft(storage: Store | null, key: string, answers: Answers, current: string | null, now = Date.now()): void {
  try {
    storage?.setItem(key, JSON.stringify({ answers, current, saved_at: now } satisfies Draft));
  } catch {
    // The page works on without it; only a reload would start again.
  }
}

export function dropDraft(storage: Store | null, key: string): void {
  try {
    storage?.removeItem(key);
  } catch {
    // Nothing kept, nothing to drop.
  }
}
