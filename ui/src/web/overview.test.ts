import { describe, expect, it } from "vitest";
import { initialLanguage } from "./i18n";
import { dayBars, overviewRows } from "./overview";
import type { Overview, OverviewUnit } from "./types";

const unit = (code: string, n: number, ikm: number | null, grade: string | null, rank: number | null): OverviewUnit => ({
  unit: code,
  name: code,
  instansi: null,
  period: "2026-S2",
  n,
  ikm,
  grade,
  target: code === "U-BARU" ? null : 80,
  target_met: code === "U-BARU" ? null : n >= 80,
  last_received: null,
  devices: 2,
  rank,
  waiting: 3,
  conflicted: 1,
  silent_devices: code === "U-RSUD" ? 1 : 0,
});

const overview: Overview = {
  period: "2026-S2",
  units: [unit("U-CAPIL", 81, 91.4814, "A", 1), unit("U-RSUD", 30, 80.5, "B", 2), unit("U-BARU", 0, null, null, null)],
  pooled: { label: "gabungan", units: 3, n: 111, ikm: 88.6, grade: "A" },
  per_day: [],
  devices: [],
  silent_after_days: 7,
};

describe("the overview", () => {
  it("keeps the server's ranking and n against the target", () => {
    const rows = overviewRows(overview, "id");
    expect(rows.map((r) => [r.code, r.rank, r.n, r.target, r.targetMet])).toEqual([
      ["U-CAPIL", 1, 81, 80, true],
      ["U-RSUD", 2, 30, 80, false],
      ["U-BARU", null, 0, null, null],
    ]);
  });

  it("prints the IKM as a report does, with a decimal comma in Indonesian", () => {
    const [capil] = overviewRows(overview, "id");
    expect(capil).toMatchObject({ ikm: "91,48", grade: "A", gradeLabel: "Sangat baik" });
    expect(overviewRows(overview, "en")[0]).toMatchObject({ ikm: "91.48", gradeLabel: "Very good" });
    expect(overviewRows(overview, "id")[2]).toMatchObject({ ikm: "—", grade: null, gradeLabel: null });
  });

  it("draws every day from the first to the last, a day without responses as an empty bar", () => {
    const bars = dayBars([
      { day: "2026-02-27", n: 4 },
      { day: "2026-03-02", n: 2 },
    ]);
    expect(bars.map((b) => [b.day, b.n, b.percent])).toEqual([
      ["2026-02-27", 4, 100],
      ["2026-02-28", 0, 0],
      ["2026-03-01", 0, 0],
      ["2026-03-02", 2, 50],
    ]);
    expect(dayBars([])).toEqual([]);
    const long = Array.from({ length: 100 }, (_, i) => ({
      day: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
      n: 1,
    }));
    const shown = dayBars(long, 30);
    expect(shown).toHaveLength(30);
    expect(shown[29].day).toBe("2026-04-10");
  });

  it("starts in Bahasa Indonesia unless English was chosen on this browser", () => {
    expect(initialLanguage(null)).toBe("id");
    expect(initialLanguage("fr")).toBe("id");
    expect(initialLanguage("en")).toBe("en");
  });
});
