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

/** One slice of a characteristic's ring chart, drawn in a 100 × 100 box. */
export interface ChartSlice {
  indicator: string;
  count: number;
  /** Share of the respondents, as in the table beside it. */
  percent: number;
  /** The slice as an SVG path: a sector of the ring between two radii. */
  path: string;
  colour: string;
}

/** A ring chart of one characteristic: the same counts as its rows in the official table. */
export interface ProfileChart {
  item: string;
  characteristic: string;
  slices: ChartSlice[];
}

/** Eight colours told apart by colour-blind readers too (Okabe–Ito), repeated beyond eight. */
const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#555555"];
const OUTER = 48;
const INNER = 28;

function point(radius: number, turn: number): string {
  const angle = 2 * Math.PI * turn - Math.PI / 2;
  const x = 50 + radius * Math.cos(angle);
  const y = 50 + radius * Math.sin(angle);
  return `${+x.toFixed(3)} ${+y.toFixed(3)}`;
}

/** The ring between `from` and `to` (fractions of a turn, clockwise from the top). */
function sector(from: number, to: number): string {
  // SVG cannot draw a whole circle as one arc: a lone slice is two halves.
  if (to - from >= 1) return `${sector(0, 0.5)} ${sector(0.5, 1)}`;
  const large = to - from > 0.5 ? 1 : 0;
  return [
    `M ${point(OUTER, from)}`,
    `A ${OUTER} ${OUTER} 0 ${large} 1 ${point(OUTER, to)}`,
    `L ${point(INNER, to)}`,
    `A ${INNER} ${INNER} 0 ${large} 0 ${point(INNER, from)}`,
    "Z",
  ].join(" ");
}

/**
 * Per characteristic, a ring chart of its indicators. Slices share the characteristic's
 * answers (indicators nobody chose have none), so a ring is whole whenever anyone answered.
 */
export function profileCharts(profile: Characteristic[], n: number, lang: Language): ProfileChart[] {
  return profile.map((c) => {
    const total = c.rows.reduce((sum, row) => sum + row.count, 0);
    let at = 0;
    const slices: ChartSlice[] = [];
    c.rows.forEach((row, i) => {
      if (row.count === 0) return;
      const from = at / total;
      at += row.count;
      slices.push({
        indicator: lang === "id" ? row.name : row.name_en,
        count: row.count,
        percent: n > 0 ? (row.count * 100) / n : 0,
        path: sector(from, at / total),
        colour: PALETTE[i % PALETTE.length],
      });
    });
    return { item: c.item, characteristic: lang === "id" ? c.name : c.name_en, slices };
  });
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
