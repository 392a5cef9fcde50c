// Times cross the IPC as RFC 3339 UTC strings; people read them in local time.
import type { Language } from "../bindings/Language";

const locale = (lang: Language) => (lang === "id" ? "id-ID" : "en-GB");

export function formatDateTime(iso: string | null, lang: Language): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale(lang), { dateStyle: "medium", timeStyle: "short" });
}

/** YYYY-MM-DD of the local day, for file names. */
export function localDay(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A name safe on every file system, e.g. `simpul-U-CAPIL-2025-03-03.simpul`. */
export function bundleFileName(unit: string, now: Date): string {
  const safe = unit.replace(/[^A-Za-z0-9._-]+/g, "_") || "unit";
  return `simpul-${safe}-${localDay(now)}.simpul`;
}

/** The CSV export's name beside the bundle's, e.g. `simpul-U-CAPIL-2025-03-03.csv`. */
export function csvFileName(unit: string, now: Date): string {
  return bundleFileName(unit, now).replace(/\.simpul$/, ".csv");
}

/** Joins with the separator the folder already uses, so Windows paths stay Windows paths. */
export function joinPath(dir: string, name: string): string {
  if (dir === "") return name;
  const sep = dir.includes("\\") && !dir.includes("/") ? "\\" : "/";
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/** The digit or code as written on the sheet, then its meaning: a clerk checks the paper. */
export function shownValue(value: string | null, display: string | null): string | null {
  if (value && display && display !== value) return `${value} · ${display}`;
  return display ?? value;
}

/** What a numeric field keeps of typed text: the digits only. */
export function digitsOnly(text: string): string {
  return text.replace(/\D/g, "");
}
