// Dev-only stand-in for the Rust side, so `npm run dev` in a plain browser shows every screen.
// It is only loaded when Vite serves in dev mode and no Tauri runtime is present; production
// builds drop it. It imitates the contract loosely and is not a reference for the real rules.
import type { AppError } from "../bindings/AppError";
import type { AppState } from "../bindings/AppState";
import type { Channel } from "../bindings/Channel";
import type { ConflictView } from "../bindings/ConflictView";
import type { Draft } from "../bindings/Draft";
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";
import type { Language } from "../bindings/Language";
import type { ReportView } from "../bindings/ReportView";
import type { ResponseDetail } from "../bindings/ResponseDetail";
import type { ResponseFilter } from "../bindings/ResponseFilter";
import type { ResponseRow } from "../bindings/ResponseRow";
import type { SyncState } from "../bindings/SyncState";
import { accepts, displayAnswer } from "../lib/items";
import { allowedText } from "../lib/validation";

type Args = Record<string, unknown>;
type Values = { value: string; by: string; at: string }[];
interface Stored {
  id: string;
  channel: Channel;
  serial: string | null;
  period: string;
  deleted: boolean;
  unsynced: boolean;
  created_at: string;
  updated_at: string;
  /** Every field's current values; more than one is a conflict. */
  fields: Record<string, Values>;
}

const fail = (code: AppError["code"], message: string): never => {
  throw { code, message } satisfies AppError;
};
const now = () => new Date().toISOString();
let counter = 0;
const newId = () => `r${Date.now().toString(36)}${(counter++).toString(36)}`;

const db = {
  language: "id" as Language,
  setUp: false,
  enrolled: false,
  unit: "",
  unitName: "",
  period: "",
  population: null as number | null,
  enumerators: [] as { id: string; name: string; pin: string }[],
  signedIn: null as string | null,
  kioskPin: null as string | null,
  drafts: {} as Partial<Record<Channel, Draft>>,
  responses: [] as Stored[],
  sync: {
    phase: "not_enrolled",
    pushed: 0,
    pulled: 0,
    bytes_up: 0,
    bytes_down: 0,
    to_push: 0,
    message: null,
    last_sync: null,
  } as SyncState,
};
const listeners = new Set<(s: SyncState) => void>();

const UNSUR: [string, string, string, string[], string[]][] = [
  ["Persyaratan", "Kesesuaian persyaratan pelayanan dengan jenis pelayanannya?", "Do the requirements fit the service?", ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"], ["Not suitable", "Less suitable", "Suitable", "Very suitable"]],
  ["Sistem, Mekanisme, dan Prosedur", "Kemudahan prosedur pelayanan di unit ini?", "How easy is the procedure?", ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"], ["Not easy", "Less easy", "Easy", "Very easy"]],
  ["Waktu Penyelesaian", "Kecepatan waktu dalam memberikan pelayanan?", "How fast is the service?", ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"], ["Not fast", "Less fast", "Fast", "Very fast"]],
  ["Biaya/Tarif", "Kewajaran biaya/tarif dalam pelayanan?", "How fair is the fee?", ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"], ["Very expensive", "Fairly expensive", "Cheap", "Free"]],
  ["Produk Spesifikasi Jenis Pelayanan", "Kesesuaian produk pelayanan dengan standar?", "Does the product match the standard?", ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"], ["Not suitable", "Less suitable", "Suitable", "Very suitable"]],
  ["Kompetensi Pelaksana", "Kompetensi/kemampuan petugas dalam pelayanan?", "How competent is the staff?", ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"], ["Not competent", "Less competent", "Competent", "Very competent"]],
  ["Perilaku Pelaksana", "Kesopanan dan keramahan petugas?", "How polite and friendly is the staff?", ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"], ["Not polite", "Less polite", "Polite", "Very polite"]],
  ["Penanganan Pengaduan, Saran dan Masukan", "Penanganan pengaduan pengguna layanan?", "How are complaints handled?", ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"], ["None", "Exists but does not work", "Works, not fully", "Well managed"]],
  ["Sarana dan Prasarana", "Kualitas sarana dan prasarana?", "Quality of the facilities?", ["Buruk", "Cukup", "Baik", "Sangat baik"], ["Poor", "Fair", "Good", "Very good"]],
];

function form(): FormView {
  const en = db.language === "en";
  const choice = (id: string, label: [string, string], opts: [string, string, string][], other?: [string, string]): ItemView => ({
    id,
    label: en ? label[1] : label[0],
    required: false,
    kind: {
      type: "choice",
      options: opts.map(([code, i, e]) => ({ code, label: en ? e : i, labels: [i, e] })),
      other: other?.[0] ?? null,
      other_item: other?.[1] ?? null,
    },
  });
  const text = (id: string, label: [string, string], max_len: number): ItemView => ({
    id,
    label: en ? label[1] : label[0],
    required: false,
    kind: { type: "text", max_len },
  });
  return {
    id: "skm-2017",
    title: en ? "Public Satisfaction Survey (PermenPANRB 14/2017)" : "Survei Kepuasan Masyarakat (PermenPANRB 14/2017)",
    items: [
      { id: "tanggal", label: en ? "Survey date" : "Tanggal survei", required: false, kind: { type: "date" } },
      choice("jenis_kelamin", ["Jenis kelamin", "Sex"], [["L", "Laki-laki", "Male"], ["P", "Perempuan", "Female"]]),
      { id: "umur", label: en ? "Age (years)" : "Umur (tahun)", required: false, kind: { type: "integer", min: 10, max: 120 } },
      choice("pendidikan", ["Pendidikan terakhir", "Highest education"], [["SD", "SD/sederajat", "Primary"], ["SMP", "SMP/sederajat", "Junior secondary"], ["SMA", "SMA/sederajat", "Senior secondary"], ["D1-D3", "Diploma (D1–D3)", "Diploma (D1–D3)"], ["D4", "Diploma IV (D4)", "Applied bachelor (D4)"], ["S1", "Sarjana (S1)", "Bachelor (S1)"], ["S2", "Magister (S2)", "Master (S2)"], ["S3", "Doktor (S3)", "Doctorate (S3)"]]),
      choice("pekerjaan", ["Pekerjaan", "Occupation"], [["PNS", "PNS", "Civil servant (PNS)"], ["TNI", "TNI", "Armed forces (TNI)"], ["POLRI", "POLRI", "Police (POLRI)"], ["SWASTA", "Pegawai swasta", "Private employee"], ["WIRAUSAHA", "Wirausaha", "Self-employed"], ["LAINNYA", "Lainnya", "Other"]], ["LAINNYA", "pekerjaan_lainnya"]),
      text("pekerjaan_lainnya", ["Pekerjaan lainnya (sebutkan)", "Other occupation (please specify)"], 200),
      text("layanan", ["Jenis layanan yang diterima", "Service received"], 200),
      ...UNSUR.map(([, qi, qe, oi, oe], i): ItemView => ({
        id: `U${i + 1}`,
        label: en ? qe : `Bagaimana pendapat Saudara tentang ${qi.charAt(0).toLowerCase()}${qi.slice(1)}`,
        required: true,
        kind: { type: "scored", unsur: `U${i + 1}`, options: en ? oe : oi },
      })),
      text("saran", ["Saran dan masukan", "Suggestions and feedback"], 2000),
    ],
  };
}

const item = (id: string) => form().items.find((i) => i.id === id);
const me = () => db.enumerators.find((e) => e.id === db.signedIn)?.name ?? "?";
const needSetUp = () => !db.setUp && fail("not_set_up", db.language === "en" ? "this device is not set up yet" : "perangkat ini belum disiapkan");
const needSignIn = () => {
  needSetUp();
  if (!db.signedIn) fail("not_signed_in", db.language === "en" ? "sign in first" : "silakan masuk dulu");
};
const checkValue = (id: string, raw: string) => {
  const it = item(id);
  if (!it) return `${id}: ?`;
  return accepts(it, raw) ? null : `${id}: ${allowedText(it, db.language)} (${raw})`;
};

function appState(): AppState {
  return {
    language: db.language,
    set_up: db.setUp,
    enrolled: db.enrolled,
    enumerators: db.enumerators.map(({ id, name }) => ({ id, name })),
    signed_in: db.enumerators.filter((e) => e.id === db.signedIn).map(({ id, name }) => ({ id, name }))[0] ?? null,
    kiosk_pin_set: db.kioskPin !== null,
    files_dir: "/home/petugas/Documents",
  };
}

const current = (r: Stored, f: string) => r.fields[f]?.[0]?.value ?? "";
function row(r: Stored): ResponseRow {
  return {
    id: r.id,
    channel: r.channel,
    serial: r.serial,
    service: current(r, "layanan") || null,
    period: r.period,
    status: "final",
    deleted: r.deleted,
    conflicts: Object.values(r.fields).filter((v) => v.length > 1).length,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
function conflictsOf(r: Stored): ConflictView[] {
  return Object.entries(r.fields)
    .filter(([, v]) => v.length > 1)
    .map(([field, values]) => ({
      response: r.id,
      serial: r.serial,
      field,
      label: item(field)?.label ?? field,
      values: values.map((v) => ({
        value: v.value || null,
        display: v.value ? displayAnswer(item(field)!, v.value) : null,
        by: v.by,
        at: v.at,
      })),
    }));
}
function detail(r: Stored): ResponseDetail {
  return {
    row: row(r),
    answers: form().items.map((it) => {
      const v = current(r, it.id);
      return { item: it.id, label: it.label, value: v || null, display: v ? displayAnswer(it, v) : null };
    }),
    conflicts: conflictsOf(r),
    unsynced: r.unsynced,
  };
}
function find(id: string): Stored {
  return db.responses.find((r) => r.id === id) ?? fail("not_found", `response ${id} not found`);
}
function store(channel: Channel, serial: string | null, answers: Record<string, string>): Stored {
  const at = now();
  const r: Stored = {
    id: newId(),
    channel,
    serial,
    period: db.period,
    deleted: false,
    unsynced: true,
    created_at: at,
    updated_at: at,
    fields: Object.fromEntries(
      Object.entries(answers)
        .filter(([, v]) => v.trim() !== "")
        .map(([k, v]) => [k, [{ value: v.trim(), by: me(), at }]]),
    ),
  };
  db.responses.unshift(r);
  return r;
}
function matches(r: Stored, f: ResponseFilter) {
  return (
    (f.include_deleted || !r.deleted) &&
    (!f.period || r.period === f.period) &&
    (!f.channel || r.channel === f.channel) &&
    (!f.service || current(r, "layanan") === f.service) &&
    (f.has_conflict === null || f.has_conflict === row(r).conflicts > 0)
  );
}
function km(n: number) {
  const x = 3.841 * n * 0.25;
  return Math.floor(x / (0.0025 * (n - 1) + 3.841 * 0.25) + 0.5);
}
const grade = (v: number): [string, string] =>
  v >= 88.31 ? ["A", "Sangat baik"] : v >= 76.61 ? ["B", "Baik"] : v >= 65 ? ["C", "Kurang baik"] : ["D", "Tidak baik"];
const r2 = (x: number) => Math.round(x * 100) / 100;

function report(f: ResponseFilter): ReportView {
  const rs = db.responses.filter((r) => matches(r, { ...f, include_deleted: false }));
  const unsur = UNSUR.map(([name], i) => {
    const id = `U${i + 1}`;
    const scores = rs.map((r) => Number(current(r, id))).filter((s) => s >= 1 && s <= 4);
    const nrr = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
    return { id, name, n: scores.length, nrr: nrr === null ? null : r2(nrr), converted: nrr === null ? null : r2(nrr * 25), grade: nrr === null ? null : grade(nrr * 25)[0], raw: nrr };
  });
  const withData = unsur.filter((u) => u.raw !== null);
  const ikm = withData.length ? r2((withData.reduce((a, u) => a + (u.raw ?? 0), 0) / 9) * 25) : null;
  const weakest = withData.length ? withData.reduce((a, b) => ((b.raw ?? 9) < (a.raw ?? 9) ? b : a)).id : null;
  const profile = ["jenis_kelamin", "pendidikan", "pekerjaan"].map((pid) => {
    const it = item(pid)!;
    const opts = it.kind.type === "choice" ? it.kind.options : [];
    return { item: pid, label: it.label, bars: opts.map((o) => ({ code: o.code, label: o.label, count: rs.filter((r) => current(r, pid) === o.code).length })) };
  });
  return {
    ikm,
    grade: ikm === null ? null : grade(ikm)[0],
    grade_label: ikm === null ? null : grade(ikm)[1],
    n: rs.length,
    target: db.population === null ? null : km(db.population),
    unsur: unsur.map(({ raw: _raw, ...u }) => u),
    weakest,
    profile,
    periods: [...new Set(db.responses.map((r) => r.period))],
    services: [...new Set(db.responses.map((r) => current(r, "layanan")).filter(Boolean))],
  };
}

function setSync(patch: Partial<SyncState>) {
  db.sync = { ...db.sync, ...patch };
  listeners.forEach((l) => l(db.sync));
}
function runSync() {
  const pending = db.responses.filter((r) => r.unsynced);
  setSync({ phase: "syncing", pushed: 0, to_push: pending.length, pulled: 0 });
  pending.forEach((r, i) =>
    setTimeout(() => {
      r.unsynced = false;
      setSync({ pushed: i + 1 });
    }, 300 * (i + 1)),
  );
  setTimeout(() => setSync({ phase: "up_to_date", last_sync: now() }), 300 * (pending.length + 1));
}

const commands: Record<string, (a: Args) => unknown> = {
  app_state: () => appState(),
  set_language: (a) => {
    db.language = a.language as Language;
    return appState();
  },
  setup_offline: (a) => {
    const s = a.setup as { unit: string; unit_name: string; period: string; population: number | null; device: string };
    if (!s.unit) fail("invalid", "kode unit wajib diisi");
    if (!/^\d{4}-/.test(s.period)) fail("invalid", "periode: isi seperti 2025-S1");
    Object.assign(db, { setUp: true, unit: s.unit, unitName: s.unit_name, period: s.period, population: s.population });
    return appState();
  },
  setup_server: (a) => {
    const s = a.setup as { server: string; code: string };
    if (!s.server.startsWith("http")) fail("unreachable", "server tidak dapat dihubungi");
    Object.assign(db, { setUp: true, enrolled: true, unit: "U-DEMO", unitName: "Unit demo", period: "2025-S1", population: 500 });
    setSync({ phase: "up_to_date", last_sync: now() });
    return appState();
  },
  enrol: () => {
    db.enrolled = true;
    runSync();
    return appState();
  },
  add_enumerator: (a) => {
    const pin = String(a.pin);
    if (!/^\d{4,8}$/.test(pin)) fail("invalid", "PIN: isi 4–8 angka");
    if (!String(a.name).trim()) fail("invalid", "nama petugas wajib diisi");
    const e = { id: newId(), name: String(a.name), pin };
    db.enumerators.push(e);
    return { id: e.id, name: e.name };
  },
  sign_in: (a) => {
    const e = db.enumerators.find((x) => x.id === a.id);
    if (!e || e.pin !== a.pin) fail("wrong_pin", db.language === "en" ? "wrong PIN" : "PIN salah");
    db.signedIn = e!.id;
    return { id: e!.id, name: e!.name };
  },
  sign_out: () => {
    db.signedIn = null;
    return appState();
  },
  set_kiosk_pin: (a) => {
    needSignIn();
    if (!/^\d{4,8}$/.test(String(a.pin))) fail("invalid", "PIN: isi 4–8 angka");
    db.kioskPin = String(a.pin);
    return appState();
  },
  check_kiosk_pin: (a) => (a.pin === db.kioskPin ? null : fail("wrong_pin", db.language === "en" ? "wrong PIN" : "PIN salah")),
  home: () => {
    needSetUp();
    const inPeriod = db.responses.filter((r) => !r.deleted && r.period === db.period);
    const today = new Date().toISOString().slice(0, 10);
    const pending = db.responses.filter((r) => r.unsynced);
    return {
      unit_code: db.unit,
      unit_name: db.unitName || null,
      period: db.period,
      form_title: form().title,
      today: inPeriod.filter((r) => r.created_at.startsWith(today)).length,
      in_period: inPeriod.length,
      target: db.population === null ? null : km(db.population),
      population: db.population,
      pending_changes: pending.length,
      pending_responses: pending.length,
      conflicts: db.responses.filter((r) => row(r).conflicts > 0).length,
      sync: db.sync,
    };
  },
  form: () => (needSetUp(), form()),
  check_answer: (a) => checkValue(String(a.item), String(a.raw)),
  draft_open: (a) => {
    needSignIn();
    const ch = a.channel as Channel;
    return (db.drafts[ch] ??= { id: newId(), channel: ch, answers: {}, step: 0, updated_at: now() });
  },
  draft_save: (a) => {
    const d = { ...(a.draft as Draft), updated_at: now() };
    db.drafts[d.channel] = d;
    return d;
  },
  draft_discard: (a) => {
    for (const ch of Object.keys(db.drafts) as Channel[]) if (db.drafts[ch]?.id === a.id) delete db.drafts[ch];
    return null;
  },
  draft_submit: (a) => {
    const ch = (Object.keys(db.drafts) as Channel[]).find((c) => db.drafts[c]?.id === a.id);
    if (!ch) return fail("not_found", "draft not found");
    const d = db.drafts[ch]!;
    for (const it of form().items) {
      if (it.required && !(d.answers[it.id] ?? "").trim()) fail("invalid", `${it.id}: wajib diisi`);
      const bad = checkValue(it.id, d.answers[it.id] ?? "");
      if (bad) fail("invalid", bad);
    }
    const r = store(ch, null, d.answers);
    delete db.drafts[ch];
    return { id: r.id, outcome: "created", conflicts: 0 };
  },
  save_paper_row: (a) => {
    needSignIn();
    const p = a.row as { serial: string; answers: Record<string, string> };
    for (const [k, v] of Object.entries(p.answers)) {
      const bad = checkValue(k, v);
      if (bad) fail("invalid", bad);
    }
    const old = db.responses.find((r) => r.serial === p.serial && r.period === db.period);
    if (!old) return { id: store("paper", p.serial, p.answers).id, outcome: "created", conflicts: 0 };
    let changed = false;
    for (const [k, v] of Object.entries(p.answers)) {
      const had = old.fields[k] ?? [];
      if (had.some((x) => x.value === v.trim()) || (had.length === 0 && v.trim() === "")) continue;
      changed = true;
      old.fields[k] = [...(had.length ? had : [{ value: "", by: "?", at: old.created_at }]), { value: v.trim(), by: me(), at: now() }];
    }
    old.unsynced = old.unsynced || changed;
    return { id: old.id, outcome: changed ? "merged" : "already_present", conflicts: row(old).conflicts };
  },
  import_csv: (a) => {
    if (!String(a.path).endsWith(".csv")) fail("not_found", `file ${String(a.path)} not found`);
    const r = store("paper", `CSV-${counter}`, { U1: "4", U2: "3", U3: "2", U4: "4", U5: "3", U6: "4", U7: "4", U8: "3", U9: "4", layanan: "KTP-el", jenis_kelamin: "P" });
    return {
      lines: [
        { line: 2, serial: r.serial, error: null, outcome: "created" },
        { line: 3, serial: "K-003", error: "U3: isi angka 1–4 (7)", outcome: null },
      ],
      created: 1,
      merged: 0,
      already_present: 0,
      rejected: 1,
      cancelled: false,
    };
  },
  export_csv: (a) => ({ path: String(a.path), rows: db.responses.length }),
  cancel_work: () => null,
  list_responses: (a) => db.responses.filter((r) => matches(r, a.filter as ResponseFilter)).map(row),
  open_response: (a) => detail(find(String(a.id))),
  edit_response: (a) => {
    const r = find(String(a.id));
    for (const [k, v] of Object.entries(a.answers as Record<string, string>)) {
      const bad = checkValue(k, v);
      if (bad) fail("invalid", bad);
      r.fields[k] = v.trim() ? [{ value: v.trim(), by: me(), at: now() }] : [];
    }
    Object.assign(r, { unsynced: true, updated_at: now() });
    return detail(r);
  },
  delete_response: (a) => detail(Object.assign(find(String(a.id)), { deleted: true, unsynced: true })),
  restore_response: (a) => detail(Object.assign(find(String(a.id)), { deleted: false })),
  resolve_conflict: (a) => {
    const r = find(String(a.id));
    const value = String(a.value);
    r.fields[String(a.field)] = value ? [{ value, by: me(), at: now() }] : [];
    return detail(r);
  },
  conflicts: () => db.responses.flatMap(conflictsOf),
  report: (a) => report(a.filter as ResponseFilter),
  sync_state: () => db.sync,
  sync_now: () => {
    if (db.enrolled) runSync();
    return db.sync;
  },
  export_bundle: (a) => ({ path: String(a.path), changes: db.responses.length, responses: db.responses.length, bytes: 1234, created: 0, updated: 0, cancelled: false }),
  import_bundle: (a) => ({ path: String(a.path), changes: 0, responses: 0, bytes: 0, created: 0, updated: 0, cancelled: false }),
};

export async function fakeInvoke<T>(command: string, args: Args): Promise<T> {
  await new Promise((r) => setTimeout(r, 60));
  const run = commands[command];
  if (!run) throw `command ${command} not found`;
  // A structured clone, as if it had crossed the IPC boundary.
  return JSON.parse(JSON.stringify(run(args) ?? null)) as T;
}

export async function fakeListen(cb: (s: SyncState) => void): Promise<() => void> {
  listeners.add(cb);
  return () => listeners.delete(cb);
}
