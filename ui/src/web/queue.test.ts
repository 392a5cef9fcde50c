import { describe, expect, it } from "vitest";
import { EMPTY_FILTER, approvable, choices, queueQuery, responseLabel } from "./queue";
import type { ResponseSummary } from "./types";

const row = (over: Partial<ResponseSummary>): ResponseSummary => ({
  id: "0192f0c4-aaaa-7bbb-8ccc-123456789abc",
  serial: null,
  period: "2026-S2",
  channel: "interview",
  service: "KTP",
  status: "final",
  deleted: false,
  review: "received",
  review_note: null,
  conflicts: 0,
  created_at: null,
  updated_at: null,
  ...over,
});

describe("review queue filters", () => {
  it("asks for nothing when no filter is set", () => {
    expect(queueQuery(EMPTY_FILTER)).toBe("");
  });

  it("sends only the filters set, trimmed and encoded", () => {
    expect(queueQuery({ ...EMPTY_FILTER, state: "rejected", service: " Akta kelahiran ", to: "2026-11-30" })).toBe(
      "?state=rejected&service=Akta+kelahiran&to=2026-11-30",
    );
  });

  it("offers each value once, sorted, and keeps the chosen one", () => {
    const rows = [row({ service: "KTP" }), row({ service: "Akta" }), row({ service: null }), row({ service: "KTP" })];
    expect(choices(rows, (r) => r.service)).toEqual(["Akta", "KTP"]);
    expect(choices([], (r) => r.service, "KIA")).toEqual(["KIA"]);
  });

  it("names a paper response by its serial, any other by the start of its id", () => {
    expect(responseLabel(row({ serial: "0042" }))).toBe("#0042");
    expect(responseLabel(row({}))).toBe("0192f0c4");
  });
});

describe("approving a page at once", () => {
  it("takes final responses waiting or with issues, never a draft, a deleted or a rejected one", () => {
    const rows = [
      row({ id: "a" }),
      row({ id: "b", review: "has-issues" }),
      row({ id: "c", review: "approved" }),
      row({ id: "d", review: "rejected" }),
      row({ id: "e", status: "draft" }),
      row({ id: "f", deleted: true }),
    ];
    expect(approvable(rows)).toEqual(["a", "b"]);
    expect(approvable([])).toEqual([]);
  });
});
