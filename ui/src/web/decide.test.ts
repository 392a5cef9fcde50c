import { describe, expect, it } from "vitest";
import { checkReview, conflictChoices, wroteLines } from "./decide";

describe("review decisions", () => {
  it("refuses to reject without a note, even one of spaces", () => {
    expect(checkReview("rejected", "")).toEqual({ ok: false, problem: "note_required" });
    expect(checkReview("rejected", "   ")).toEqual({ ok: false, problem: "note_required" });
    expect(checkReview("rejected", " lembar ganda ")).toEqual({ ok: true, note: "lembar ganda" });
  });

  it("approves with or without a note", () => {
    expect(checkReview("approved", "")).toEqual({ ok: true, note: null });
    expect(checkReview("has-issues", "cek U3")).toEqual({ ok: true, note: "cek U3" });
  });
});

describe("a field in conflict", () => {
  it("offers each distinct value once, with its writer and time, never a cleared one", () => {
    const at = Date.UTC(2026, 10, 5, 3, 0, 0);
    expect(
      conflictChoices([
        { value: "2", by: "Sari", at },
        { value: "4", by: "Dewi", at: null },
        { value: "2", by: "Budi", at },
        { value: null, by: "Rina", at },
      ]),
    ).toEqual([
      { value: "2", by: "Sari", at: "2026-11-05T03:00:00.000Z" },
      { value: "4", by: "Dewi", at: null },
    ]);
  });

  it("shows what a change wrote by item, a cleared field as empty", () => {
    expect(wroteLines([["q.U3", "4"], ["review.state", "approved"], ["q.saran", null]])).toEqual([
      "U3 = 4",
      "review.state = approved",
      "saran = ∅",
    ]);
  });
});
