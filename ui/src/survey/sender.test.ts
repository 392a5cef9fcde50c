import { describe, expect, it } from "vitest";
import { memoryStorage, pending } from "./fixtures";
import { Outbox, OUTBOX_KEY, type Outcome, type Pending } from "./outbox";
import { retryDelay, Sender, type Refusal, type SendState } from "./sender";

const TOKEN = "q7xkabcdefgh";
const stored: Outcome = { kind: "stored" };
const offline: Outcome = { kind: "retry", after: null };

/** A sender whose attempts answer `outcomes` in turn (then "stored"), with timers held for the
 * test to run. */
function harness(outcomes: Outcome[] = []) {
  const storage = memoryStorage();
  const outbox = new Outbox(storage);
  const saved = () => (JSON.parse(storage.map.get(OUTBOX_KEY) ?? "[]") as Pending[]).map((e) => e.id);
  const posted: { id: string; savedThen: string[] }[] = [];
  const states: [SendState, number][] = [];
  const refusals: Refusal[] = [];
  const timers: { ms: number; run: () => void; cancelled: boolean }[] = [];
  let answer = async (): Promise<Outcome> => outcomes.shift() ?? stored;
  const sender = new Sender(TOKEN, {
    outbox,
    post: (entry) => {
      posted.push({ id: entry.id, savedThen: saved() });
      return answer();
    },
    later: (ms, run) => {
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
    onState: (state, n) => states.push([state, n]),
    onRefused: (refusal) => refusals.push(refusal),
  });
  /** Runs the last timer set, as if its time had come, and waits for its run. */
  const fire = async () => {
    const timer = last(timers);
    expect(timer.cancelled).toBe(false);
    timer.run();
    await settle();
  };
  const hold = (next: (a: typeof answer) => typeof answer) => (answer = next(answer));
  return { outbox, saved, posted, states, refusals, timers, sender, fire, hold, ids: () => posted.map((p) => p.id) };
}

const last = <T>(list: T[]): T => list[list.length - 1];

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("sending an answer set", () => {
  it("stores it before the first attempt and removes it once the server has it", async () => {
    const t = harness([{ kind: "stored" }]);
    await t.sender.submit(pending("a"));
    expect(t.posted).toEqual([{ id: "a", savedThen: ["a"] }]);
    expect(t.saved()).toEqual([]);
    expect(t.states).toEqual([
      ["sending", 1],
      ["sent", 0],
    ]);
  });

  it("keeps it without signal or with a failing server, and retries with the same id", async () => {
    const t = harness([offline, { kind: "retry", after: null }, stored]);
    await t.sender.submit(pending("a"));
    expect(t.saved()).toEqual(["a"]);
    expect(last(t.states)).toEqual(["waiting", 1]);
    await t.fire();
    expect(t.saved()).toEqual(["a"]);
    await t.fire();
    expect(t.ids()).toEqual(["a", "a", "a"]);
    expect(t.saved()).toEqual([]);
    expect(last(t.states)).toEqual(["sent", 0]);
    expect(t.refusals).toEqual([]);
  });

  it("waits 5 s after a failure, doubling to at most a minute, and starts over after a success", async () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(retryDelay)).toEqual([5000, 10000, 20000, 40000, 60000, 60000, 60000]);
    const t = harness([offline, offline, offline, stored, offline]);
    await t.sender.submit(pending("a"));
    await t.fire();
    await t.fire();
    expect(t.timers.map((timer) => timer.ms)).toEqual([5000, 10000, 20000]);
    await t.fire();
    await t.sender.submit(pending("b"));
    expect(last(t.timers).ms).toBe(5000);
  });

  it("waits as long as a busy server asks", async () => {
    const t = harness([{ kind: "retry", after: 30_000 }]);
    await t.sender.submit(pending("a"));
    expect(t.timers.map((timer) => timer.ms)).toEqual([30_000]);
  });

  it("sends several waiting sets one by one, oldest first, and stops at one that cannot go", async () => {
    const t = harness([stored, offline]);
    t.outbox.add(pending("a"));
    t.outbox.add(pending("other", { token: "another-link" }));
    t.outbox.add(pending("b"));
    t.outbox.add(pending("c"));
    await t.sender.drain();
    expect(t.ids()).toEqual(["a", "b"]);
    expect(t.saved()).toEqual(["other", "b", "c"]);
    expect(t.states).toEqual([
      ["sending", 3],
      ["sending", 2],
      ["waiting", 2],
    ]);
    await t.fire();
    expect(t.ids()).toEqual(["a", "b", "b", "c"]);
    expect(t.saved()).toEqual(["other"]);
    expect(last(t.states)).toEqual(["sent", 0]);
  });

  it("drops a set the server refuses as invalid, with the questions at fault", async () => {
    const fields = [{ item: "U1", id: "U1: wajib dijawab.", en: "U1: an answer is required." }];
    const t = harness([{ kind: "invalid", fields }]);
    await t.sender.submit(pending("a"));
    expect(t.saved()).toEqual([]);
    expect(t.refusals).toEqual([{ entry: pending("a"), outcome: { kind: "invalid", fields } }]);
    expect(last(t.states)).toEqual(["refused", 0]);
  });

  it("drops sets for a closed or unknown link and goes on with the rest", async () => {
    const t = harness([
      { kind: "refused", status: 410 },
      { kind: "refused", status: 404 },
    ]);
    t.outbox.add(pending("a"));
    await t.sender.submit(pending("b"));
    expect(t.ids()).toEqual(["a", "b"]);
    expect(t.saved()).toEqual([]);
    expect(t.refusals.map((r) => [r.entry.id, r.outcome])).toEqual([
      ["a", { kind: "refused", status: 410 }],
      ["b", { kind: "refused", status: 404 }],
    ]);
    expect(last(t.states)).toEqual(["refused", 0]);
    // The next respondent's set starts clean.
    await t.sender.submit(pending("c"));
    expect(last(t.states)).toEqual(["sent", 0]);
  });

  it("says nothing when a visit finds nothing to send", async () => {
    const t = harness();
    await t.sender.drain();
    expect(t.posted).toEqual([]);
    expect(t.states).toEqual([]);
  });

  it("tries at once when asked during a wait (the signal came back), cancelling the timer", async () => {
    const t = harness([offline]);
    await t.sender.submit(pending("a"));
    await t.sender.drain();
    expect(t.timers[0].cancelled).toBe(true);
    expect(t.ids()).toEqual(["a", "a"]);
    expect(t.saved()).toEqual([]);
  });

  it("takes a set sent during an attempt in the same run, and never sends one twice at once", async () => {
    const t = harness();
    let release!: (outcome: Outcome) => void;
    t.hold(() => () => new Promise<Outcome>((resolve) => (release = resolve)));
    const first = t.sender.submit(pending("a"));
    await settle();
    const second = t.sender.submit(pending("b"));
    await t.sender.drain();
    expect(t.ids()).toEqual(["a"]);
    t.hold(() => async () => stored);
    release(stored);
    await Promise.all([first, second]);
    expect(t.ids()).toEqual(["a", "b"]);
    expect(t.saved()).toEqual([]);
  });

  it("tries once more at once when asked during a failed attempt", async () => {
    const t = harness();
    let release!: (outcome: Outcome) => void;
    t.hold(() => () => new Promise<Outcome>((resolve) => (release = resolve)));
    const run = t.sender.submit(pending("a"));
    await settle();
    void t.sender.drain();
    t.hold(() => async () => stored);
    release(offline);
    await run;
    expect(t.ids()).toEqual(["a", "a"]);
    expect(t.timers).toEqual([]);
    expect(last(t.states)).toEqual(["sent", 0]);
  });
});
