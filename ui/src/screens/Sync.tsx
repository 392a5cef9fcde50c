import { useEffect, useState, type FormEvent } from "react";
import * as backend from "../backend";
import type { BundleResult } from "../bindings/BundleResult";
import { FieldError } from "../components/FieldError";
import { TextField } from "../components/TextField";
import { useAction } from "../components/useAction";
import { useShell } from "../context";
import { bundleFileName, formatDateTime, joinPath } from "../lib/format";
import { syncView } from "../lib/syncView";

/** Where the data stands, a sync button, bundle files for offline moves, and late enrolment. */
export function SyncScreen() {
  const { t, lang, guard, state, sync } = useShell();
  const [path, setPath] = useState<string>("");
  const [bundle, setBundle] = useState<BundleResult | null>(null);
  const [busy, setBusy] = useState(false);

  // The default file name carries the unit and the day so files from many tablets don't clash.
  useEffect(() => {
    let live = true;
    guard(backend.home()).then((h) => {
      if (live && h) setPath((p) => p || joinPath(state.files_dir, bundleFileName(h.unit_code, new Date())));
    });
    return () => {
      live = false;
    };
  }, [guard, state.files_dir]);

  const s = t.sync;
  const view = sync ? syncView(sync, lang) : null;

  const runBundle = async (work: Promise<BundleResult>) => {
    setBusy(true);
    const r = await guard(work);
    setBusy(false);
    if (r) setBundle(r);
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
            onClick={() => void runBundle(backend.exportBundle(path.trim()))}
          >
            {s.bundleExport}
          </button>
          <button
            type="button"
            data-testid="bundle-import"
            disabled={busy || path.trim() === ""}
            onClick={() => void runBundle(backend.importBundle(path.trim()))}
          >
            {s.bundleImport}
          </button>
        </div>
        {bundle && (
          <p data-testid="bundle-result">
            {bundle.path}: {s.bundleResult(bundle.changes, bundle.responses, bundle.created, bundle.updated)}
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
