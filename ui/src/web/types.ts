// What /api/v1 answers, as the server's Rust types serialise (sync-server/src/routes/api.rs,
// routes/review.rs, history.rs; the report is crates/survey's IkmReport).

export type Role = "admin" | "supervisor" | "viewer";

export interface Me {
  name: string;
  role: Role;
  instansi: string | null;
  units: string[];
}

export interface UnitRow {
  code: string;
  name: string;
  instansi: string | null;
  /** Whether its results page at /publik/CODE is shown to the public. */
  public: boolean;
}

export interface UnsurResult {
  id: string;
  name: string;
  n: number;
  total: number;
  /** Unrounded, 1–4. */
  nrr: number | null;
  weighted: number | null;
  converted: number | null;
  grade: string | null;
}

export interface IkmReport {
  method: string;
  weighting: string;
  weight: number;
  n: number;
  /** Unrounded, 25–100. */
  ikm: number | null;
  ikm_interval: number | null;
  grade: string | null;
  grade_label: string | null;
  unsur: UnsurResult[];
  weakest: string | null;
  strongest: string | null;
}

export type ReviewState = "received" | "has-issues" | "approved" | "rejected";

export interface ResponseSummary {
  id: string;
  serial: string | null;
  period: string;
  channel: string;
  service: string | null;
  status: string;
  deleted: boolean;
  review: ReviewState;
  review_note: string | null;
  conflicts: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface Written {
  value: string | null;
  by: string | null;
  /** Milliseconds since the epoch. */
  at: number | null;
}

export interface ResponseDetail extends ResponseSummary {
  unit: string;
  form: string;
  method: string;
  answers: [string, string | null][];
  conflicts_detail: { field: string; written: Written[] }[];
}

export interface HistoryEntry {
  at: string | null;
  by: string | null;
  /** The device's name, or `server` for a person's decision. */
  from: string;
  wrote: [string, string | null][];
}

/** `GET /api/v1/overview` (sync-server/src/overview.rs). */
export interface OverviewUnit {
  unit: string;
  name: string;
  instansi: string | null;
  period: string | null;
  n: number;
  /** Unrounded, 25–100; null without responses. */
  ikm: number | null;
  grade: string | null;
  /** The Krejcie–Morgan minimum; null when the unit's population is not known. */
  target: number | null;
  target_met: boolean | null;
  last_received: string | null;
  devices: number;
  rank: number | null;
  waiting: number;
  conflicted: number;
  silent_devices: number;
}

export interface OverviewDevice {
  id: string;
  unit: string;
  name: string;
  enrolled_at: string;
  last_sync_at: string | null;
  silent: boolean;
}

export interface Overview {
  period: string | null;
  units: OverviewUnit[];
  pooled: { label: string; units: number; n: number; ikm: number | null; grade: string | null };
  per_day: { day: string; n: number }[];
  devices: OverviewDevice[];
  silent_after_days: number;
}

/** Who last changed a stored plan, follow-up or narrative part. */
export interface Changed {
  by: string;
  at: string;
}

export type Quarter = "I" | "II" | "III" | "IV";

export interface PlanItem {
  no: number;
  unsur: string;
  program: string;
  quarters: Quarter[];
  responsible: string;
}

export interface PreviousItem extends PlanItem {
  done: boolean | null;
  description: string | null;
  changed: Changed | null;
}

/** `GET /api/v1/units/CODE/plan?period=P` (sync-server/src/routes/official.rs). */
export interface PlanView {
  unit: string;
  period: string;
  /** YYYY-MM-DD. */
  fkp_date: string | null;
  items: PlanItem[];
  changed: Changed | null;
  previous: { period: string; items: PreviousItem[] } | null;
  unsur: { id: string; name: string }[];
  weakest: string | null;
}

export interface NarrativePart {
  field: string;
  /** The unit's own text; `null` when the default is used. */
  value: string | null;
  default: string;
  changed: Changed | null;
}

export interface NarrativeView {
  unit: string;
  period: string;
  parts: NarrativePart[];
}

/** `GET /api/v1/units/CODE/summary` (sync-server/src/summary.rs). */
export interface ServiceLine {
  service: string;
  n: number;
  /** Per unsur, in the method's order: its id and NRR (1–4, unrounded). */
  nrr: [string, number | null][];
  ikm: number | null;
  grade: string | null;
}

export interface ProfileRow {
  name: string;
  name_en: string;
  count: number;
}

export interface Characteristic {
  item: string;
  name: string;
  name_en: string;
  rows: ProfileRow[];
}

export interface TrendLine {
  period: string;
  n: number;
  ikm: number | null;
  grade: string | null;
}

export interface UnitSummary {
  periods: string[];
  services: ServiceLine[];
  profile: Characteristic[];
  trend: TrendLine[];
}

/** `GET /api/v1/units/CODE/saran` (sync-server/src/saran.rs). */
export interface Suggestion {
  response: string;
  serial: string | null;
  period: string;
  service: string | null;
  /** Milliseconds since the epoch: when the response was captured. */
  created_at: number;
  /** The survey date the questionnaire gives (YYYY-MM-DD), if any. */
  survey_date: string | null;
  text: string;
  followed_up: boolean;
  /** The number of the item of the period's RTL that answers it. */
  rtl_item: number | null;
  changed: Changed | null;
}

/** `GET /api/v1/units/CODE/links` (sync-server/src/links.rs): a survey link respondents
 * open at `/f/TOKEN`. */
export interface SurveyLink {
  token: string;
  unit: string;
  /** The service its answers are of; null for every service. */
  service: string | null;
  /** Null: it follows the unit's active period. */
  period: string | null;
  created_by: string;
  created_at: string;
  closed_at: string | null;
  /** Answer sets stored through it. */
  answers: number;
}

/** The channels an invitation goes by (sync-server/src/invitations.rs): e-mail when the
 * recipient has an address, otherwise the SMS/WhatsApp outbox. */
export type InvitationChannel = "email" | "sms_whatsapp";

/** How one channel's invitations fared; each is counted once in every step it reached. */
export interface InvitationTally {
  invited: number;
  sent: number;
  opened: number;
  answered: number;
  opted_out: number;
}

/** One service user invited by name, with a survey link of their own that takes one answer
 * set. Times are RFC 3339; null when it has not happened. */
export interface Invitation {
  token: string;
  name: string;
  /** Digits only, with the country code (`62…`). */
  phone: string | null;
  email: string | null;
  service: string | null;
  /** YYYY-MM-DD. */
  service_date: string | null;
  sent_at: string | null;
  reminded_at: string | null;
  opened_at: string | null;
  answered_at: string | null;
  opted_out_at: string | null;
}

/** `GET /api/v1/units/CODE/invitations` (sync-server/src/routes/links.rs): oldest first. */
export interface InvitationsView {
  by_channel: Record<InvitationChannel, InvitationTally>;
  invitations: Invitation[];
}
