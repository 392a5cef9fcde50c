import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryStorage, pending } from "./fixtures";
import { newId, Outbox, OUTBOX_KEY, outcomeOf, post, requestBody, type Pending } from "./outbox";

describe("the outbox", () => {
  it("keeps sets in localStorage, oldest first, per link, until removed by id", () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage);
    outbox.add(pending("a"));
    outbox.add(pending("b", { token: "other" }));
    outbox.add(pending("c"));
    expect(JSON.parse(storage.map.get(OUTBOX_KEY)!).map((e: Pending) => e.id)).toEqual(["a", "b", "c"]);
    expect(new Outbox(storage).of("q7xkabcdefgh").map((e) => e.id)).toEqual(["a", "c"]);
    outbox.remove("a");
    expect(new Outbox(storage).all().map((e) => e.id)).toEqual(["b", "c"]);
    expect(outbox.durable).toBe(true);
  });

  it("reads a broken or foreign value as empty, and skips entries it cannot send", () => {
    const storage = memoryStorage();
    storage.map.set(OUTBOX_KEY, "{not json");
    expect(new Outbox(storage).all()).toEqual([]);
    storage.map.set(OUTBOX_KEY, JSON.stringify([pending("a"), { id: "b" }, null, 7]));
    expect(new Outbox(storage).all().map((e) => e.id)).toEqual(["a"]);
  });

  it("still holds sets in memory when the browser refuses to store, and says so", () => {
    const outbox = new Outbox(memoryStorage(true));
    outbox.add(pending("a"));
    expect(outbox.all().map((e) => e.id)).toEqual(["a"]);
    expect(outbox.durable).toBe(false);
    expect(new Outbox(null).durable).toBe(false);
  });
});

describe("answer set ids", () => {
  it("come from randomUUID where the browser has it", () => {
    expect(newId({ randomUUID: () => "from-browser", getRandomValues: (a) => a })).toBe("from-browser");
  });

  it("are random v4 UUIDs from getRandomValues on plain HTTP", () => {
    const fill = <T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint8Array).fill(0xff);
      return array;
    };
    expect(newId({ getRandomValues: fill })).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    const id = newId({ getRandomValues: (a) => crypto.getRandomValues(a) });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newId({ getRandomValues: (a) => crypto.getRandomValues(a) })).not.toBe(id);
  });
});

describe("what the server's answer means", () => {
  it("counts 201 and 200 (a retry it already holds) as stored", () => {
    expect(outcomeOf(201, null, null)).toEqual({ kind: "stored" });
    expect(outcomeOf(200, null, null)).toEqual({ kind: "stored" });
  });

  it("retries a busy or failing server, after Retry-After when busy", () => {
    expect(outcomeOf(429, null, "30")).toEqual({ kind: "retry", after: 30_000 });
    expect(outcomeOf(429, null, "Wed, 21 Oct 2026 07:28:00 GMT")).toEqual({ kind: "retry", after: null });
    expect(outcomeOf(503, null, "30")).toEqual({ kind: "retry", after: null });
    expect(outcomeOf(500, null, null)).toEqual({ kind: "retry", after: null });
    expect(outcomeOf(408, null, null)).toEqual({ kind: "retry", after: null });
  });

  it("reads the questions at fault from a 422", () => {
    const fields = [{ item: "U1", id: "U1: wajib dijawab.", en: "U1: an answer is required." }];
    expect(outcomeOf(422, { code: "invalid_answers", message: "…", fields: [...fields, { item: 3 }] }, null)).toEqual({
      kind: "invalid",
      fields,
    });
    expect(outcomeOf(422, null, null)).toEqual({ kind: "invalid", fields: [] });
  });

  it("takes any other answer as a refusal for good", () => {
    expect(outcomeOf(410, { code: "link_closed" }, null)).toEqual({ kind: "refused", status: 410 });
    expect(outcomeOf(404, null, null)).toEqual({ kind: "refused", status: 404 });
    expect(outcomeOf(400, null, null)).toEqual({ kind: "refused", status: 400 });
  });
});

describe("one attempt", () => {
  afterEach(() => vi.useRealTimers());

  it("posts the set's own id, the serial only when set, and the hidden field", async () => {
    expect(JSON.parse(requestBody(pending("a")))).toEqual({ id: "a", answers: { U1: "4" }, website: "" });
    expect(JSON.parse(requestBody(pending("a", { serial: "K-001", website: "x" })))).toEqual({
      id: "a",
      serial: "K-001",
      answers: { U1: "4" },
      website: "x",
    });
    const fetcher = vi.fn(async () => new Response(null, { status: 201 }));
    expect(await post(pending("a"), fetcher)).toEqual({ kind: "stored" });
    const [url, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/f/q7xkabcdefgh/responses");
    expect(init.method).toBe("POST");
    expect(init.body).toBe(requestBody(pending("a")));
  });

  it("reads a 422's fields and Retry-After", async () => {
    const body = { code: "invalid_answers", message: "…", fields: [{ item: "umur", id: "i", en: "e" }] };
    const invalid = vi.fn(async () => Response.json(body, { status: 422 }));
    expect(await post(pending("a"), invalid)).toEqual({ kind: "invalid", fields: body.fields });
    const busy = vi.fn(async () => new Response(null, { status: 429, headers: { "Retry-After": "7" } }));
    expect(await post(pending("a"), busy)).toEqual({ kind: "retry", after: 7000 });
  });

  it("counts no signal as a retry, never an error", async () => {
    const offline = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await post(pending("a"), offline)).toEqual({ kind: "retry", after: null });
  });

  it("gives up an attempt that hangs, and retries it later", async () => {
    vi.useFakeTimers();
    const hanging = vi.fn(
      (_url: unknown, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))),
    );
    const attempt = post(pending("a"), hanging as unknown as typeof fetch, 20_000);
    await vi.advanceTimersByTimeAsync(19_999);
    expect((hanging.mock.calls[0][1] as RequestInit).signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await attempt).toEqual({ kind: "retry", after: null });
  });
});
