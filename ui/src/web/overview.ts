// The overview's rows: each unit with the figures of its report, ordered as a ranking (best
// IKM first; units without data last, by code).
import { formatScore } from "../lib/reportModel";
import type { Language } from "../bindings/Language";
import type { IkmReport, UnitRow } from "./types";

export interface OverviewRow {
  code: string;
  name: string;
  n: number | null;
  ikm: string;
  grade: string | null;
  gradeLabel: string | null;
  /** 1 for the best IKM; null without data. */
  rank: number | null;
}

export function overviewRows(
  units: UnitRow[],
  reports: Record<string, IkmReport | null>,
  lang: Language,
): OverviewRow[] {
  const scored = units
    .map((unit) => ({ unit, report: reports[unit.code] ?? null }))
    .sort((a, b) => {
      const x = a.report?.ikm ?? null;
      const y = b.report?.ikm ?? null;
      if (x !== null && y !== null && x !== y) return y - x;
      if (x === null && y !== null) return 1;
      if (x !== null && y === null) return -1;
      return a.unit.code.localeCompare(b.unit.code);
    });
  let rank = 0;
  return scored.map(({ unit, report }) => {
    const ikm = report?.ikm ?? null;
    if (ikm !== null) rank += 1;
    return {
      code: unit.code,
      name: unit.name,
      n: report ? report.n : null,
      ikm: formatScore(ikm, lang),
      grade: report?.grade ?? null,
      gradeLabel: report?.grade_label ?? null,
      rank: ikm === null ? null : rank,
    };
  });
}
