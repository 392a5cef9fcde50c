// The overview's rows and chart, from the server's one answer (`GET /api/v1/overview`): the
// server ranks the units and keeps the figures; this shapes them for the page.
import { formatScore } from "../lib/reportModel";
import type { Language } from "../bindings/Language";
import type { Overview } from "./types";

export interface OverviewRow {
  code: string;
  name: string;
  n: number;
  /** The Krejcie–Morgan minimum; null when the unit's population is not known. */
  target: number | null;
  /** "Sesuai" / "Belum sesuai" as a published report writes it; null without a target. */
  targetMet: boolean | null;
  ikm: string;
  grade: string | null;
  gradeLabel: string | null;
  /** 1 for the best IKM; null without data. */
  rank: number | null;
  waiting: number;
  conflicted: number;
  devices: number;
  silentDevices: number;
}

/** Mutu pelayanan in words, as crates/survey's `Grade::label` gives them. */
const GRADE_LABELS: Record<Language, Record<string, string>> = {
  id: { A: "Sangat baik", B: "Baik", C: "Kurang baik", D: "Tidak baik" },
  en: { A: "Very good", B: "Good", C: "Poor", D: "Very poor" },
};

export function gradeLabel(grade: string | null, lang: Language): string | null {
  return grade ? (GRADE_LABELS[lang][grade] ?? null) : null;
}

export function overviewRows(overview: Overview, lang: Language): OverviewRow[] {
  return overview.units.map((unit) => ({
    code: unit.unit,
    name: unit.name,
    n: unit.n,
    target: unit.target,
    targetMet: unit.target_met,
    ikm: formatScore(unit.ikm, lang),
    grade: unit.grade,
    gradeLabel: gradeLabel(unit.grade, lang),
    rank: unit.rank,
    waiting: unit.waiting,
    conflicted: unit.conflicted,
    devices: unit.devices,
    silentDevices: unit.silent_devices,
  }));
}

export interface DayBar {
  day: string;
  n: number;
  /** 0–100, against the busiest day. */
  percent: number;
}

/** One bar per day from the first day with responses to the last, empty days included, so
 *  that a gap in fieldwork shows as a gap. At most `maxDays` (the latest ones). */
export function dayBars(perDay: { day: string; n: number }[], maxDays = 62): DayBar[] {
  if (perDay.length === 0) return [];
  const counts = new Map(perDay.map((d) => [d.day, d.n]));
  const first = new Date(`${perDay[0].day}T00:00:00Z`);
  const last = new Date(`${perDay[perDay.length - 1].day}T00:00:00Z`);
  const days: string[] = [];
  for (let t = first.getTime(); t <= last.getTime(); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  const shown = days.slice(-maxDays);
  const busiest = Math.max(1, ...shown.map((d) => counts.get(d) ?? 0));
  return shown.map((day) => {
    const n = counts.get(day) ?? 0;
    return { day, n, percent: Math.round((n / busiest) * 100) };
  });
}
