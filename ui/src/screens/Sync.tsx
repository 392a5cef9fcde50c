import { useEffect, useState, type FormEvent } from "react";
import * as backend from "../backend";
import type { BundleResult } from "../bindings/BundleResult";
import { FieldError } from "../components/FieldError";
import { TextField } from "../components/TextField";
import { useAction } from "../components/useAction";
import { useShell } from "../context";
import type { Exported } from "../bindings/Exported";
import { useLongWork, WorkBar } from "../components/LongWork";
import { bundleFileName, csvFileName, formatDateTime, joinPath } from "../lib/format";
import { syncView } from "../lib/syncView";

/** Where the data stands, a sync button, bundle files for offline moves, and late enrolment. */
export function SyncScreen() {
  const { t, lang, guard, state, sync } = useShell();
  const [path, setPath] = useState<string>("");
  const [csvPath, setCsvPath] = useState<string>("");
  const [bundle, setBundle] = useState<BundleResult | null>(null);
  const [exported, setExported] = useState<Exported | null>(null);
  // Why the last job did not finish: a refused path, or the cancel that was asked for.
  const [notice, setNotice] = useState<string | null>(null);
  // Which card the running or last job belongs to, for its bar and its notice.
  const [card, setCard] = useState<"bundle" | "csv">("bundle");
  const work = useLongWork();
  const busy = work.running;

  // The default file name carries the unit and the day so files from many tablets don't clash.
  useEffect(() => {
    let live = true;
    guard(backend.home()).then((h) => {
      if (!live || !h) return;
      const today = new Date();
      setPath((p) => p || joinPath(state.files_dir, bundleFileName(h.unit_code, today)));
      setCsvPath((p) => p || joinPath(state.files_dir, csvFileName(h.unit_code, today)));
    });
    return () => {
      live = false;
    };
  }, [guard, state.files_dir]);

  const s = t.sync;
  const view = sync ? syncView(sync, lang) : null;

  const runBundle = async (job: () => Promise<BundleResult>) => {
    setExported(null);
    setNotice(null);
    setCard("bundle");
    const r = await work.run(() => guard(job(), setNotice));
    if (r) setBundle(r);
  };

  const exportCsv = async (file: string) => {
    setBundle(null);
    setNotice(null);
    setCard("csv");
    const r = await work.run(() => guard(backend.exportCsv(file), setNotice));
    if (r) setExported(r);
  };

  // The native dialog fills the path; the path field stays for typing one by hand.
  const choose = async (pick: Promise<string | null>, set: (p: string) => void) => {
    const chosen = await guard(pick);
    if (chosen) set(chosen);
    return chosen ?? null;
  };

  return (
    <section className="screen" data-testid="screen-sync">
      <h1>{s.title}</h1>
      <div className="card">
        <div className="sync-state" data-testid="sync-state" data-phase={sync?.phase ?? "not_enrolled"}>
          <span className="dot big" style={{ background: view?.colour }} aria-hidden="true" />
          <strong>{view?.label ?? t.loading}</strong>
        </div>
        <progress
          data-testid="sync-progress"
          value={view?.progress?.value ?? (sync?.phase === "up_to_date" ? 1 : 0)}
          max={view?.progress?.max ?? 1}
        />
        <p data-testid="sync-counts">{view?.counts}</p>
        <p data-testid="sync-message">{view?.detail ?? view?.label}</p>
        <p className="muted">
          {s.lastSync}: {formatDateTime(sync?.last_sync ?? null, lang) ?? t.home.never}
        </p>
        <button
          type="button"
          className="primary"
          data-testid="sync-now"
          onClick={async () => {
            await guard(backend.syncNow());
          }}
        >
          {s.now}
        </button>
      </div>

      {!state.enrolled && <EnrolForm />}

      <div className="card">
        <h2>{s.bundle}</h2>
        <p className="muted">{s.bundleHint}</p>
        <TextField label={s.bundlePath} data-testid="bundle-path" value={path} spellCheck={false} onChange={setPath} />
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="bundle-export"
            disabled={busy || path.trim() === ""}
            onClick={() => void runBundle(() => backend.exportBundle(path.trim()))}
          >
            {s.bundleExport}
          </button>
          <button
            type="button"
            data-testid="bundle-export-choose"
            disabled={busy}
            onClick={async () => {
              const p = await choose(backend.chooseFileToSave("bundle", path.trim()), setPath);
              if (p) await runBundle(() => backend.exportBundle(p));
            }}
          >
            {s.bundleExportAs}
          </button>
          <button
            type="button"
            data-testid="bundle-import"
            disabled={busy || path.trim() === ""}
            onClick={() => void runBundle(() => backend.importBundle(path.trim()))}
          >
            {s.bundleImport}
          </button>
          <button
            type="button"
            data-testid="bundle-import-choose"
            disabled={busy}
            onClick={async () => {
              const p = await choose(backend.chooseFileToOpen("bundle", state.files_dir), setPath);
              if (p) await runBundle(() => backend.importBundle(p));
            }}
          >
            {s.bundleImportFrom}
          </button>
        </div>
        {card === "bundle" && (
          <>
            <WorkBar work={work} testId="sync-work" />
            <FieldError message={notice} />
          </>
        )}
        {bundle && (
          <p data-testid="bundle-result">
            {bundle.path}: {s.bundleResult(bundle.changes, bundle.responses, bundle.created, bundle.updated)}
            {bundle.cancelled && ` — ${t.work.cancelledImport}`}
          </p>
        )}
      </div>

      <div className="card">
        <h2>{s.csvExport}</h2>
        <p className="muted">{s.csvExportHint}</p>
        <TextField label={s.bundlePath} data-testid="csv-export-path" value={csvPath} spellCheck={false} onChange={setCsvPath} />
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="csv-export"
            disabled={busy || csvPath.trim() === ""}
            onClick={() => void exportCsv(csvPath.trim())}
          >
            {s.csvExport}
          </button>
          <button
            type="button"
            data-testid="csv-export-choose"
            disabled={busy}
            onClick={async () => {
              const p = await choose(backend.chooseFileToSave("csv", csvPath.trim()), setCsvPath);
              if (p) await exportCsv(p);
            }}
          >
            {s.bundleExportAs}
          </button>
        </div>
        {card === "csv" && (
          <>
            <WorkBar work={work} testId="csv-export-work" />
            <FieldError message={notice} />
          </>
        )}
        {exported && (
          <p data-testid="csv-export-result">
            {exported.path}: {s.csvExported(exported.rows)}
          </p>
        )}
      </div>
    </section>
  );
}

function EnrolForm() {
  const { t, setState } = useShell();
  const [server, setServer] = useState("");
  const [code, setCode] = useState("");
  const { busy, problem, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // The device keeps the name it was set up with; enrol ignores this one.
    const next = await run(() => backend.enrol({ server: server.trim(), code: code.trim(), device: "" }));
    if (next) setState(next);
  };
  return (
    <form className="card stack" onSubmit={submit}>
      <h2>{t.sync.enrol}</h2>
      <p className="muted">{t.sync.enrolHint}</p>
      <TextField
        label={t.setup.serverUrl}
        data-testid="enrol-server"
        value={server}
        inputMode="url"
        onChange={setServer}
      />
      <TextField label={t.setup.code} data-testid="enrol-code" value={code} autoComplete="off" onChange={setCode} />
      <FieldError message={problem} />
      <button type="submit" className="primary" data-testid="enrol-submit" disabled={busy}>
        {t.sync.enrolSubmit}
      </button>
    </form>
  );
}
