import { describe, expect, it } from "vitest";
import type { ReportView } from "../bindings/ReportView";
import { formatScore, gradeColour, profileBars, targetProgress, unsurBars } from "./reportModel";

const report: ReportView = {
  ikm: 91.48,
  grade: "A",
  grade_label: "Sangat baik",
  n: 29,
  target: 44,
  unsur: [
    { id: "U1", name: "Persyaratan", n: 29, nrr: 3.62, converted: 90.52, grade: "A" },
    { id: "U3", name: "Waktu Penyelesaian", n: 29, nrr: 3.45, converted: 86.21, grade: "B" },
    { id: "U9", name: "Sarana dan Prasarana", n: 0, nrr: null, converted: null, grade: null },
  ],
  weakest: "U3",
  profile: [],
  periods: ["2025-S1"],
  services: [],
};

describe("report view model", () => {
  it("draws each unsur bar as NRR × 25 percent of the width", () => {
    const bars = unsurBars(report);
    expect(bars.map((b) => b.width)).toEqual([90.5, 86.25, 0]);
  });

  it("highlights only the weakest unsur", () => {
    expect(unsurBars(report).map((b) => b.weakest)).toEqual([false, true, false]);
  });

  it("colours by grade, grey without one", () => {
    expect(gradeColour("A")).toBe("var(--grade-a)");
    expect(gradeColour("D")).toBe("var(--grade-d)");
    expect(gradeColour(null)).toBe("var(--grade-none)");
    expect(unsurBars(report)[1].colour).toBe("var(--grade-b)");
  });

  it("measures progress towards the Krejcie–Morgan target, capped when met", () => {
    expect(targetProgress(29, 44)).toEqual({ percent: 65, reached: false });
    expect(targetProgress(50, 44)).toEqual({ percent: 100, reached: true });
    expect(targetProgress(3, null)).toBeNull();
  });

  it("scales profile bars to the largest group and gives each its share", () => {
    const bars = profileBars({
      item: "jenis_kelamin",
      label: "Jenis kelamin",
      bars: [
        { code: "L", label: "Laki-laki", count: 10 },
        { code: "P", label: "Perempuan", count: 30 },
      ],
    });
    expect(bars.map((b) => [b.width, b.percent])).toEqual([
      [33.33333333333333, 25],
      [100, 75],
    ]);
  });

  it("handles an empty breakdown", () => {
    expect(profileBars({ item: "x", label: "x", bars: [{ code: "a", label: "a", count: 0 }] })[0]).toMatchObject({ width: 0, percent: 0 });
  });

  it("writes scores with a decimal comma in Indonesian", () => {
    expect(formatScore(91.48, "id")).toBe("91,48");
    expect(formatScore(91.5, "en")).toBe("91.50");
    expect(formatScore(null, "id")).toBe("—");
  });
});
