// Period codes as the web writes them: a year (2026), a semester (2026-S1, 2026-S2) or a
// triwulan (2026-TW1 … 2026-TW4) — PermenPANRB 14/2017 units survey at least once a year.

export type PeriodKind = "triwulan" | "semester" | "tahun";

/** How many parts a year has for each kind. */
export const PARTS: Record<PeriodKind, number> = { triwulan: 4, semester: 2, tahun: 1 };

export function periodCode(kind: PeriodKind, year: number, part: number): string | null {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) return null;
  if (!Number.isInteger(part) || part < 1 || part > PARTS[kind]) return null;
  switch (kind) {
    case "tahun":
      return `${year}`;
    case "semester":
      return `${year}-S${part}`;
    case "triwulan":
      return `${year}-TW${part}`;
  }
}
