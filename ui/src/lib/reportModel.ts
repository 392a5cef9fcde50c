// The report screen's drawing decisions: bar widths, the weakest unsur, grade colours, and
// progress towards the Krejcie–Morgan target. Rust computes the numbers; this only scales
// them for the screen.
import type { Breakdown } from "../bindings/Breakdown";
import type { ReportView } from "../bindings/ReportView";

/** Colour per mutu pelayanan grade; also used for the IKM badge. */
export function gradeColour(grade: string | null): string {
  switch (grade) {
    case "A":
      return "var(--grade-a)";
    case "B":
      return "var(--grade-b)";
    case "C":
      return "var(--grade-c)";
    case "D":
      return "var(--grade-d)";
    default:
      return "var(--grade-none)";
  }
}

export interface UnsurBar {
  id: string;
  name: string;
  n: number;
  nrr: number | null;
  converted: number | null;
  grade: string | null;
  /** 0–100: the converted value (NRR × 25) is already a percentage of the best score. */
  width: number;
  weakest: boolean;
  colour: string;
}

const clampPct = (x: number) => Math.max(0, Math.min(100, x));

/** What the bars need of a report: the app's `ReportView` and the server's report JSON both
 * have it. */
export type UnsurSource = Pick<ReportView, "weakest"> & {
  unsur: Pick<ReportView["unsur"][number], "id" | "name" | "n" | "nrr" | "converted" | "grade">[];
};

export function unsurBars(report: UnsurSource): UnsurBar[] {
  return report.unsur.map((u) => ({
    id: u.id,
    name: u.name,
    n: u.n,
    nrr: u.nrr,
    converted: u.converted,
    grade: u.grade,
    width: u.nrr === null ? 0 : clampPct(u.nrr * 25),
    weakest: report.weakest !== null && report.weakest === u.id,
    colour: gradeColour(u.grade),
  }));
}

export interface ProfileBar {
  code: string;
  label: string;
  count: number;
  /** Share of everyone counted in this breakdown, for the label. */
  percent: number;
  /** Relative to the largest bar, so small groups stay readable. */
  width: number;
}

export function profileBars(breakdown: Breakdown): ProfileBar[] {
  const total = breakdown.bars.reduce((sum, b) => sum + b.count, 0);
  const max = breakdown.bars.reduce((m, b) => Math.max(m, b.count), 0);
  return breakdown.bars.map((b) => ({
    code: b.code,
    label: b.label,
    count: b.count,
    percent: total === 0 ? 0 : Math.round((b.count / total) * 1000) / 10,
    width: max === 0 ? 0 : clampPct((b.count / max) * 100),
  }));
}

export interface TargetProgress {
  /** 0–100 for the bar; full once the target is met. */
  percent: number;
  reached: boolean;
}

/** `null` when the population, and so the target, is not known. */
export function targetProgress(n: number, target: number | null): TargetProgress | null {
  if (target === null) return null;
  if (target <= 0) return { percent: 100, reached: true };
  return { percent: clampPct(Math.floor((n / target) * 100)), reached: n >= target };
}

/** Indonesian reports write decimals with a comma; English ones with a point. */
export function formatScore(value: number | null, lang: "id" | "en"): string {
  if (value === null) return "—";
  return value.toLocaleString(lang === "id" ? "id-ID" : "en-GB", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}
