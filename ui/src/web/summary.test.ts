import { describe, expect, it } from "vitest";
import { formatPercent, profileCharts, profileLines, trendBars } from "./summary";
import type { Characteristic } from "./types";

const profile: Characteristic[] = [
  {
    item: "jenis_kelamin",
    name: "Jenis kelamin",
    name_en: "Gender",
    rows: [
      { name: "Laki-laki", name_en: "Male", count: 3 },
      { name: "Perempuan", name_en: "Female", count: 1 },
    ],
  },
  {
    item: "pendidikan",
    name: "Pendidikan",
    name_en: "Education",
    rows: [
      { name: "SMA", name_en: "Senior high", count: 2 },
      { name: "Tidak diisi", name_en: "Not answered", count: 2 },
    ],
  },
];

describe("profileLines", () => {
  it("numbers each characteristic once and spans its indicators", () => {
    const lines = profileLines(profile, 4, "id");
    expect(lines.map((l) => [l.no, l.characteristic, l.span, l.indicator, l.count])).toEqual([
      [1, "Jenis kelamin", 2, "Laki-laki", 3],
      [null, null, 0, "Perempuan", 1],
      [2, "Pendidikan", 2, "SMA", 2],
      [null, null, 0, "Tidak diisi", 2],
    ]);
    expect(lines.map((l) => l.percent)).toEqual([75, 25, 50, 50]);
  });

  it("speaks the reader's language and counts nothing as 0 % without respondents", () => {
    const lines = profileLines(profile, 0, "en");
    expect(lines[0].characteristic).toBe("Gender");
    expect(lines[3].indicator).toBe("Not answered");
    expect(lines.every((l) => l.percent === 0 && l.width === 0)).toBe(true);
  });
});

describe("formatPercent", () => {
  it("writes a decimal comma in Indonesian and a point in English", () => {
    expect(formatPercent(12.5, "id")).toBe("12,50 %");
    expect(formatPercent(12.5, "en")).toBe("12.50 %");
  });
});

describe("trendBars", () => {
  it("gives each period its change from the last one with data", () => {
    const bars = trendBars([
      { period: "2025-S1", n: 40, ikm: 80, grade: "B" },
      { period: "2025-S2", n: 0, ikm: null, grade: null },
      { period: "2026-S1", n: 52, ikm: 83.5, grade: "B" },
    ]);
    expect(bars.map((b) => [b.width, b.change])).toEqual([
      [80, null],
      [0, null],
      [83.5, 3.5],
    ]);
  });
});

describe("profileCharts", () => {
  it("draws one ring per characteristic with a slice per chosen indicator", () => {
    const charts = profileCharts(profile, 4, "id");
    expect(charts.map((c) => c.characteristic)).toEqual(["Jenis kelamin", "Pendidikan"]);
    expect(charts[0].slices.map((s) => [s.indicator, s.count, s.percent])).toEqual([
      ["Laki-laki", 3, 75],
      ["Perempuan", 1, 25],
    ]);
    // Three quarters of the ring is the large arc; the quarter is not.
    expect(charts[0].slices[0].path).toContain("A 48 48 0 1 1");
    expect(charts[0].slices[1].path).toContain("A 48 48 0 0 1");
    // Each slice starts where the previous one ended: at the top, then at nine o'clock.
    expect(charts[0].slices[0].path.startsWith("M 50 2 ")).toBe(true);
    expect(charts[0].slices[1].path.startsWith("M 2 50 ")).toBe(true);
    expect(new Set(charts[0].slices.map((s) => s.colour)).size).toBe(2);
  });

  it("leaves out indicators nobody chose and closes a lone slice as a whole ring", () => {
    const lone: Characteristic[] = [
      {
        item: "pekerjaan",
        name: "Pekerjaan",
        name_en: "Occupation",
        rows: [
          { name: "PNS", name_en: "Civil servant", count: 0 },
          { name: "Swasta", name_en: "Private", count: 5 },
        ],
      },
    ];
    const [chart] = profileCharts(lone, 5, "en");
    expect(chart.characteristic).toBe("Occupation");
    expect(chart.slices).toHaveLength(1);
    expect(chart.slices[0].path.match(/M /g)).toHaveLength(2);
    expect(chart.slices[0].percent).toBe(100);
  });

  it("draws no slice for a characteristic nobody answered", () => {
    const none = profile.map((c) => ({ ...c, rows: c.rows.map((r) => ({ ...r, count: 0 })) }));
    expect(profileCharts(none, 0, "id").every((c) => c.slices.length === 0)).toBe(true);
  });
});
