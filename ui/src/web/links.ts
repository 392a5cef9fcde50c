// Survey links and numbered paper questionnaires, apart from the page that shows them. The
// server gives tokens, not addresses: a link's address, its poster and the printed sheets are
// built on the address the browser reached the server by (`origin`), the one people at the
// counter can reach too.

/** What respondents open on their phone. */
export function linkAddress(origin: string, token: string): string {
  return `${origin}/f/${encodeURIComponent(token)}`;
}

/** The link's A4 poster, its QR code pointing under `origin`. */
export function posterHref(token: string, origin: string): string {
  return `/api/v1/links/${encodeURIComponent(token)}/poster.pdf?base=${encodeURIComponent(origin)}`;
}

/** The body of `POST …/links`. */
export interface NewLinkBody {
  service?: string;
  period?: string;
}

/** A blank field is left out, so the link serves every service or follows the unit's active
 * period. */
export function newLinkBody(service: string, period: string): NewLinkBody {
  const body: NewLinkBody = {};
  if (service.trim() !== "") body.service = service.trim();
  if (period.trim() !== "") body.period = period.trim();
  return body;
}

/** The periods offered to choose from: the active one and those with responses, newest first. */
export function periodChoices(active: string | null, known: string[]): string[] {
  return [...new Set([...(active ? [active] : []), ...known])].sort().reverse();
}

/** The server prints at most this many sheets at a time. */
export const MAX_SHEETS = 1000;

export interface PaperSheets {
  period: string;
  from: number;
  count: number;
  prefix: string;
}

export type PaperProblem = "period" | "from" | "count" | "prefix";

export type PaperCheck = { ok: true; sheets: PaperSheets } | { ok: false; problem: PaperProblem };

/**
 * The sheets the fields ask for. Checked here because the download is a plain link: a refusal
 * from the server would arrive as a file instead of a message. The period follows the server's
 * rule for codes; a prefix is one word, so that serials read `K-001`.
 */
export function checkPaper(typed: { period: string; from: string; count: string; prefix: string }): PaperCheck {
  const period = typed.period.trim();
  const prefix = typed.prefix.trim();
  const from = wholeNumber(typed.from);
  const count = wholeNumber(typed.count);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(period)) return { ok: false, problem: "period" };
  if (from === null || from < 1) return { ok: false, problem: "from" };
  if (count === null || count < 1 || count > MAX_SHEETS) return { ok: false, problem: "count" };
  if (!/^\S{1,20}$/.test(prefix)) return { ok: false, problem: "prefix" };
  return { ok: true, sheets: { period, from, count, prefix } };
}

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : null;
}

/** The numbered questionnaires of one unit and period. */
export function paperFormsHref(code: string, sheets: PaperSheets, origin: string): string {
  const query = new URLSearchParams({
    period: sheets.period,
    from: String(sheets.from),
    count: String(sheets.count),
    prefix: sheets.prefix,
    base: origin,
  });
  return `/api/v1/units/${encodeURIComponent(code)}/paper-forms.pdf?${query.toString()}`;
}

/** The first and last serial printed, as the server writes them (upper case, three digits at
 * least), so the next print can start after the last. */
export function serialRange(sheets: Pick<PaperSheets, "from" | "count" | "prefix">): [string, string] {
  const serial = (n: number) => `${sheets.prefix.trim()}-${String(n).padStart(3, "0")}`.toUpperCase();
  return [serial(sheets.from), serial(sheets.from + sheets.count - 1)];
}
