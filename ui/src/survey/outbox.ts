// The answer sets this phone has not yet handed to the server, kept in localStorage. A set is
// written here before its first attempt and leaves only when the server holds it or has refused
// it for good, so a lost signal, a closed tab or a flat battery loses nothing; its id is made
// once, so a retry the server already has is recognised and stored once.
import type { Answers, Text } from "./form";

export const OUTBOX_KEY = "simpul-survey-outbox";

/** How long one attempt may take before it counts as no signal. */
export const ATTEMPT_MS = 20_000;

export interface Pending {
  token: string;
  id: string;
  serial: string | null;
  answers: Answers;
  /** ISO time the respondent pressed Send. */
  created_at: string;
  /** The hidden field, kept only when something (a bot) filled it, so a retry sends it too. */
  website?: string;
}

type Store = Pick<Storage, "getItem" | "setItem">;

/** The outbox on `storage`. When the browser refuses to store (private mode, storage full or
 * blocked) the sets are still held in memory and sent; `durable` then says they would not
 * survive closing the page. */
export class Outbox {
  private memory: Pending[] | null = null;

  constructor(private readonly storage: Store | null) {}

  get durable(): boolean {
    return this.storage !== null && this.memory === null;
  }

  /** Every waiting set, oldest first. Anything unreadable is skipped, not fatal. */
  all(): Pending[] {
    if (this.memory) return this.memory;
    try {
      const list: unknown = JSON.parse(this.storage?.getItem(OUTBOX_KEY) ?? "[]");
      return Array.isArray(list) ? list.filter(isPending) : [];
    } catch {
      return [];
    }
  }

  /** This link's waiting sets, oldest first. */
  of(token: string): Pending[] {
    return this.all().filter((entry) => entry.token === token);
  }

  add(entry: Pending): void {
    this.write([...this.all(), entry]);
  }

  remove(id: string): void {
    this.write(this.all().filter((entry) => entry.id !== id));
  }

  private write(list: Pending[]): void {
    try {
      if (!this.storage) throw new Error("no storage");
      this.storage.setItem(OUTBOX_KEY, JSON.stringify(list));
      this.memory = null;
    } catch {
      this.memory = list;
    }
  }
}

function isPending(value: unknown): value is Pending {
  const entry = value as Pending | null;
  return (
    typeof entry === "object" &&
    entry !== null &&
    typeof entry.token === "string" &&
    typeof entry.id === "string" &&
    typeof entry.answers === "object" &&
    entry.answers !== null
  );
}

/** A random UUID v4. `crypto.randomUUID` exists only on HTTPS and localhost; an office
 * server reached over plain HTTP still gets ids as random, from `getRandomValues`. */
export function newId(source: Pick<Crypto, "getRandomValues"> & { randomUUID?: () => string } = crypto): string {
  if (typeof source.randomUUID === "function") return source.randomUUID();
  const bytes = source.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One question the server found wrong, with its message in both languages. */
export interface FieldProblem extends Text {
  item: string;
}

/** What one attempt came to. */
export type Outcome =
  /** 201, or 200 for an id the server already holds. */
  | { kind: "stored" }
  /** No signal, a timeout, a busy (429) or failing (5xx) server: try again, after `after` ms
   * when the server said so. */
  | { kind: "retry"; after: number | null }
  /** 422: the questions at fault; the set as sent will never be taken. */
  | { kind: "invalid"; fields: FieldProblem[] }
  /** Any other answer (404 unknown link, 410 closed, 400 …): the server read the set and will
   * never take it, so keeping it would only hold up the sets behind it. */
  | { kind: "refused"; status: number };

/** The outcome of a server answer with this status, body (read for 422 only) and `Retry-After`. */
export function outcomeOf(status: number, body: unknown, retryAfter: string | null): Outcome {
  if (status === 200 || status === 201) return { kind: "stored" };
  if (status === 408 || status === 429 || status >= 500) {
    const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
    return { kind: "retry", after: status === 429 && seconds !== null ? seconds * 1000 : null };
  }
  if (status === 422) {
    const fields = (body as { fields?: unknown } | null)?.fields;
    return { kind: "invalid", fields: Array.isArray(fields) ? fields.filter(isFieldProblem) : [] };
  }
  return { kind: "refused", status };
}

function isFieldProblem(value: unknown): value is FieldProblem {
  const field = value as FieldProblem | null;
  return (
    typeof field === "object" &&
    field !== null &&
    typeof field.item === "string" &&
    typeof field.id === "string" &&
    typeof field.en === "string"
  );
}

/** The request body: exactly the fields the server reads (it refuses unknown ones). */
export function requestBody(entry: Pending): string {
  return JSON.stringify({
    id: entry.id,
    ...(entry.serial ? { serial: entry.serial } : {}),
    answers: entry.answers,
    website: entry.website ?? "",
  });
}

/** One attempt at `POST /f/<token>/responses`; never throws. */
export async function post(entry: Pending, fetcher: typeof fetch = fetch, timeoutMs = ATTEMPT_MS): Promise<Outcome> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetcher(`/f/${encodeURIComponent(entry.token)}/responses`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: requestBody(entry),
      cache: "no-store",
      signal: abort.signal,
    });
    const body = response.status === 422 ? await response.json().catch(() => null) : null;
    return outcomeOf(response.status, body, response.headers.get("Retry-After"));
  } catch {
    return { kind: "retry", after: null };
  } finally {
    clearTimeout(timer);
  }
}
