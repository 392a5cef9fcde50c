import { describe, expect, it } from "vitest";
import {
  buildSteps,
  clampStep,
  firstMissing,
  missingOnStep,
  reviewIndex,
  stepOfItem,
  visibleItems,
  withToday,
} from "./interviewSteps";
import { testForm } from "./testForm";

const kinds = (steps: ReturnType<typeof buildSteps>) => steps.map((s) => s.kind);

describe("interview steps", () => {
  const steps = buildSteps(testForm, { onePerScreen: false });

  it("go profile, each unsur on its own screen, saran, then review", () => {
    expect(kinds(steps)).toEqual([
      "profile",
      ...Array(9).fill("unsur"),
      "closing",
      "review",
    ]);
    expect(steps[0].items.map((i) => i.id)).toContain("layanan");
    expect(steps[1].items[0]?.id).toBe("U1");
    expect(steps[10].items[0]?.id).toBe("saran");
    expect(reviewIndex(steps)).toBe(11);
  });

  it("in the kiosk ask one profile question per screen, the 'other' detail with its owner", () => {
    const kiosk = buildSteps(testForm, { onePerScreen: true, skipDates: true });
    const profile = kiosk.filter((s) => s.kind === "profile").map((s) => s.items.map((i) => i.id));
    expect(profile).toEqual([
      ["jenis_kelamin"],
      ["umur"],
      ["pekerjaan", "pekerjaan_lainnya"],
      ["layanan"],
    ]);
  });

  it("show the 'other' detail only when 'other' was chosen", () => {
    const shown = (answers: Record<string, string>) =>
      visibleItems(steps[0], testForm, answers).map((i) => i.id);
    expect(shown({ pekerjaan: "PNS" })).not.toContain("pekerjaan_lainnya");
    expect(shown({ pekerjaan: "LAINNYA" })).toContain("pekerjaan_lainnya");
  });

  it("block next on an unanswered unsur but not on the optional profile", () => {
    expect(missingOnStep(steps[0], testForm, {})).toBeNull();
    expect(missingOnStep(steps[1], testForm, {})?.id).toBe("U1");
    expect(missingOnStep(steps[1], testForm, { U1: "3" })).toBeNull();
  });

  it("restore a stored step inside the list", () => {
    expect(clampStep(4, steps)).toBe(4);
    expect(clampStep(99, steps)).toBe(11);
    expect(clampStep(-2, steps)).toBe(0);
  });

  it("jump from the review back to the screen of an item", () => {
    expect(stepOfItem(steps, "U3")).toBe(3);
    expect(stepOfItem(steps, "umur")).toBe(0);
  });

  it("name the first required item still missing before saving", () => {
    const answers: Record<string, string> = {};
    for (let n = 1; n <= 9; n++) answers[`U${n}`] = "4";
    expect(firstMissing(testForm, answers)).toBeNull();
    delete answers.U7;
    expect(firstMissing(testForm, answers)?.id).toBe("U7");
  });
});

describe("dates", () => {
  it("default to today when blank and keep what was typed", () => {
    expect(withToday(testForm, { U1: "4" }, "2025-03-03")).toEqual({ U1: "4", tanggal: "2025-03-03" });
    expect(withToday(testForm, { tanggal: "2025-01-02" }, "2025-03-03")).toBeNull();
  });
});
