// Empties the outbox of one link: one set at a time, oldest first, until none is left or the
// server cannot be reached; then again on a timer that backs off, and whenever the page asks
// (the signal is back, the page is shown again, a new set was sent). The page never needs a
// reload to send what waits.
import type { Outbox, Outcome, Pending } from "./outbox";

export type SendState = "sending" | "waiting" | "sent" | "refused";

/** A set the server will never take, dropped from the outbox. */
export interface Refusal {
  entry: Pending;
  outcome: Extract<Outcome, { kind: "invalid" | "refused" }>;
}

export interface SenderHooks {
  outbox: Outbox;
  /** One attempt; never throws. */
  post(entry: Pending): Promise<Outcome>;
  /** Runs `task` after `ms`; the returned function cancels it. */
  later(ms: number, task: () => void): () => void;
  /** The state and how many of this link's sets wait, on every change. */
  onState(state: SendState, pending: number): void;
  onRefused(refusal: Refusal): void;
}

export const FIRST_RETRY_MS = 5_000;
export const LAST_RETRY_MS = 60_000;

/** The wait before the next attempt after `failures` failed ones in a row: 5 s, doubling to 60 s. */
export function retryDelay(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** failures, LAST_RETRY_MS);
}

export class Sender {
  private running = false;
  /** Set by a call made during a run: the run looks at the outbox once more. */
  private again = false;
  private failures = 0;
  private cancelRetry: (() => void) | null = null;
  /** Whether this page tried to send anything yet; before that, an empty outbox says nothing. */
  private tried = false;
  /** Whether a set was refused since the last new one. */
  private refused = false;

  constructor(
    private readonly token: string,
    private readonly hooks: SenderHooks,
  ) {}

  /** Keeps a new set on the phone, then tries to send it (after any older ones). */
  submit(entry: Pending): Promise<void> {
    this.hooks.outbox.add(entry);
    this.refused = false;
    return this.drain();
  }

  /** Sends what waits for this link. Safe to call at any time, as often as wanted. */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.running = true;
    try {
      await this.run();
    } finally {
      this.running = false;
    }
  }

  private async run(): Promise<void> {
    const { outbox, onState } = this.hooks;
    for (;;) {
      this.again = false;
      const waiting = outbox.of(this.token);
      if (waiting.length === 0) {
        if (this.tried) onState(this.refused ? "refused" : "sent", 0);
        return;
      }
      const entry = waiting[0];
      this.tried = true;
      onState("sending", waiting.length);
      const outcome = await this.hooks.post(entry);
      if (outcome.kind === "retry") {
        onState("waiting", outbox.of(this.token).length);
        // Asked during the attempt (the signal came back, a new set): try at once, unless
        // the server said how long to wait.
        if (this.again && outcome.after === null) continue;
        const wait = outcome.after ?? retryDelay(this.failures);
        this.failures += 1;
        this.cancelRetry = this.hooks.later(wait, () => {
          this.cancelRetry = null;
          void this.drain();
        });
        return;
      }
      outbox.remove(entry.id);
      this.failures = 0;
      if (outcome.kind !== "stored") {
        this.refused = true;
        this.hooks.onRefused({ entry, outcome });
      }
    }
  }
}
