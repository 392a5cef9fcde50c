// The unit page's tables beside its report, computed here so the page only draws: the
// official profile table with its shares, and the trend's bars.
import type { Language } from "../bindings/Language";
import type { Characteristic, TrendLine } from "./types";

/** One line of the official profile table: No | Karakteristik | Indikator | Jumlah | Persentase. */
export interface ProfileLine {
  /** The characteristic's number and name, on its first line only (the table spans them). */
  no: number | null;
  characteristic: string | null;
  /** How many lines the characteristic spans, on its first line. */
  span: number;
  indicator: string;
  count: number;
  /** Share of the respondents, 0–100, unrounded. */
  percent: number;
  /** Bar width, 0–100: the share, so every characteristic's bars add up to the whole. */
  width: number;
}

export function profileLines(profile: Characteristic[], n: number, lang: Language): ProfileLine[] {
  return profile.flatMap((c, i) =>
    c.rows.map((row, j) => {
      const percent = n > 0 ? (row.count * 100) / n : 0;
      return {
        no: j === 0 ? i + 1 : null,
        characteristic: j === 0 ? (lang === "id" ? c.name : c.name_en) : null,
        span: j === 0 ? c.rows.length : 0,
        indicator: lang === "id" ? row.name : row.name_en,
        count: row.count,
        percent,
        width: Math.max(0, Math.min(100, percent)),
      };
    }),
  );
}

/** A percentage as the reader's language writes it, with two decimals. */
export function formatPercent(value: number, lang: Language): string {
  return `${value.toLocaleString(lang === "id" ? "id-ID" : "en-GB", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })} %`;
}

export interface TrendBar {
  period: string;
  n: number;
  ikm: number | null;
  grade: string | null;
  /** 0–100 on the IKM's own scale (25–100 drawn from 0), 0 without data. */
  width: number;
  /** The change from the previous period with data, in IKM points; null for the first. */
  change: number | null;
}

export function trendBars(trend: TrendLine[]): TrendBar[] {
  let previous: number | null = null;
  return trend.map((line) => {
    const change = line.ikm !== null && previous !== null ? line.ikm - previous : null;
    if (line.ikm !== null) previous = line.ikm;
    return {
      ...line,
      width: line.ikm === null ? 0 : Math.max(0, Math.min(100, line.ikm)),
      change,
    };
  });
}
