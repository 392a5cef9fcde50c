// Every call to /api/v1 goes through here: JSON in and out, the session in its HttpOnly
// cookie (never seen by script), and every failure turned into one `{code, message}` shape
// the pages branch on.
import type {
  HistoryEntry,
  InvitationsView,
  IkmReport,
  Me,
  Overview,
  OverviewDevice,
  NarrativeView,
  PlanView,
  ResponseDetail,
  ResponseSummary,
  ReviewState,
  Suggestion,
  SurveyLink,
  UnitRow,
  UnitSummary,
} from "./types";
import type { NewLinkBody } from "./links";
import { type QueueFilter, queueQuery } from "./queue";

export interface ApiError {
  /** The server's code (`wrong_credentials`, `too_many_attempts`, `not_found`, …), or
   * `unreachable` when no answer came. */
  code: string;
  message: string;
  /** Seconds to wait, from `Retry-After`. */
  retryAfter: number | null;
}

export function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && "code" in value && "retryAfter" in value;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw { code: "unreachable", message: String(error), retryAfter: null } satisfies ApiError;
  }
  if (!response.ok) {
    const retry = Number(response.headers.get("Retry-After"));
    let code = "internal";
    let message = response.statusText;
    try {
      const parsed = (await response.json()) as { code?: string; message?: string };
      code = parsed.code ?? code;
      message = parsed.message ?? message;
    } catch {
      // A proxy's HTML error page: keep the status text.
    }
    throw { code, message, retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null } satisfies ApiError;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const periodQuery = (period: string) => `?period=${encodeURIComponent(period)}`;
const unit = (code: string) => `/units/${encodeURIComponent(code)}`;
const response = (id: string) => `/responses/${encodeURIComponent(id)}`;

export const api = {
  me: () => call<Me>("GET", "/session"),
  signIn: (username: string, password: string) => call<Me>("POST", "/session", { username, password }),
  signOut: () => call<void>("DELETE", "/session"),
  changePassword: (current: string, next: string) =>
    call<void>("POST", "/session/password", { current, new: next }),
  units: () => call<UnitRow[]>("GET", "/units"),
  devices: (code: string) => call<OverviewDevice[]>("GET", `${unit(code)}/devices`),
  enrolmentCode: (code: string) =>
    call<{ code: string; unit: string; expires_at: string }>("POST", `${unit(code)}/enrolment-code`, {}),
  settings: (code: string, settings: { period?: string; population?: number }) =>
    call<{ changed: boolean }>("POST", `${unit(code)}/settings`, settings),
  revoke: (id: string) => call<void>("POST", `/devices/${encodeURIComponent(id)}/revoke`, {}),
  setPublic: (code: string, shown: boolean) => call<void>("POST", `${unit(code)}/public`, { public: shown }),
  overview: (period?: string) =>
    call<Overview>("GET", `/overview${period ? `?period=${encodeURIComponent(period)}` : ""}`),
  report: (code: string, period?: string) =>
    call<IkmReport>("GET", `${unit(code)}/report${period ? `?period=${encodeURIComponent(period)}` : ""}`),
  summary: (code: string, period?: string) =>
    call<UnitSummary>("GET", `${unit(code)}/summary${period ? periodQuery(period) : ""}`),
  saran: (code: string, period: string, search: string) =>
    call<Suggestion[]>(
      "GET",
      `${unit(code)}/saran?period=${encodeURIComponent(period)}&q=${encodeURIComponent(search)}`,
    ),
  markSaran: (code: string, id: string, mark: { followed_up: boolean; rtl_item: number | null }) =>
    call<void>("POST", `${unit(code)}/saran/${encodeURIComponent(id)}`, mark),
  instansiPeriod: (instansi: string, period: string) =>
    call<{ changed: string[] }>("POST", `/instansi/${encodeURIComponent(instansi)}/period`, { period }),
  responses: (code: string, filter: QueueFilter) =>
    call<ResponseSummary[]>("GET", `${unit(code)}/responses${queueQuery(filter)}`),
  response: (id: string) => call<ResponseDetail>("GET", response(id)),
  history: (id: string) => call<HistoryEntry[]>("GET", `${response(id)}/history`),
  reviewAll: (code: string, ids: string[], state: ReviewState, note: string | null) =>
    call<{ reviewed: number }>("POST", `${unit(code)}/responses/review`, { ids, state, note }),
  review: (id: string, state: ReviewState, note: string | null) =>
    call<void>("POST", `${response(id)}/review`, { state, note }),
  resolve: (id: string, field: string, value: string) =>
    call<void>("POST", `${response(id)}/resolve`, { field, value }),
  plan: (code: string, period: string) => call<PlanView>("GET", `${unit(code)}/plan${periodQuery(period)}`),
  savePlan: (code: string, period: string, body: unknown) =>
    call<PlanView>("PUT", `${unit(code)}/plan${periodQuery(period)}`, body),
  narrative: (code: string, period: string) =>
    call<NarrativeView>("GET", `${unit(code)}/narrative${periodQuery(period)}`),
  saveNarrative: (code: string, period: string, body: Record<string, string | null>) =>
    call<NarrativeView>("PUT", `${unit(code)}/narrative${periodQuery(period)}`, body),
  links: (code: string) => call<SurveyLink[]>("GET", `${unit(code)}/links`),
  createLink: (code: string, body: NewLinkBody) =>
    call<SurveyLink>("POST", `${unit(code)}/links`, body),
  closeLink: (token: string) => call<SurveyLink>("POST", `/links/${encodeURIComponent(token)}/close`, {}),
  invitations: (code: string) => call<InvitationsView>("GET", `${unit(code)}/invitations`),
};

/** The image of a QR code of `text`, drawn by the server. */
export const qrHref = (text: string) => `/api/v1/qr.svg?text=${encodeURIComponent(text)}`;
