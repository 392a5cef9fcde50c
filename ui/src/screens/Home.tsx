import { useEffect, useState } from "react";
import * as backend from "../backend";
import type { Home } from "../bindings/Home";
import { Bar } from "../components/Bar";
import { useShell } from "../context";
import { formatDateTime } from "../lib/format";
import { targetProgress } from "../lib/reportModel";
import { syncView } from "../lib/syncView";

export function HomeScreen() {
  const { t, lang, guard, state, setState, go, sync } = useShell();
  const [home, setHome] = useState<Home | null>(null);
  const phase = sync?.phase;

  // Counts change as sync pulls others' work in, so re-read when the phase settles.
  useEffect(() => {
    let live = true;
    guard(backend.home()).then((h) => live && h && setHome(h));
    return () => {
      live = false;
    };
  }, [guard, phase]);

  const signOut = async () => {
    const next = await guard(backend.signOut());
    if (next) {
      setState(next);
      go({ name: "signin" });
    }
  };

  if (!home) return <section className="screen" data-testid="screen-home">{t.loading}</section>;
  const h = t.home;
  const progress = targetProgress(home.in_period, home.target);
  const current = sync ?? home.sync;
  const view = syncView(current, lang);
  const connection =
    current.phase === "not_enrolled" ? `${h.offline} — ${h.notEnrolled}` : view.online ? h.online : h.offline;

  return (
    <section className="screen" data-testid="screen-home">
      <div className="row-between">
        <h1>{home.unit_name ?? home.unit_code}</h1>
        {state.signed_in && (
          <div className="signed-in">
            <span>{t.signin.signedInAs(state.signed_in.name)}</span>
            <button type="button" onClick={signOut}>
              {t.signin.signOut}
            </button>
          </div>
        )}
      </div>
      <dl className="facts">
        <div>
          <dt>{h.unit}</dt>
          <dd data-testid="home-unit">
            {home.unit_code}
            {home.unit_name ? ` — ${home.unit_name}` : ""}
          </dd>
        </div>
        <div>
          <dt>{h.period}</dt>
          <dd data-testid="home-period">{home.period}</dd>
        </div>
        <div>
          <dt>{h.today}</dt>
          <dd className="big-number" data-testid="home-today">
            {home.today}
          </dd>
        </div>
        <div>
          <dt>{h.inPeriod}</dt>
          <dd className="big-number" data-testid="home-in-period">
            {home.in_period}
          </dd>
        </div>
        <div className="wide">
          <dt>{h.target}</dt>
          <dd data-testid="home-target">
            {home.target !== null && progress ? (
              <>
                <span>{h.progress(home.in_period, home.target)}</span>
                <Bar
                  width={progress.percent}
                  colour={progress.reached ? "var(--phase-ok)" : "var(--accent)"}
                />
              </>
            ) : (
              h.noTarget
            )}
          </dd>
        </div>
        <div>
          <dt>{h.pending}</dt>
          <dd data-testid="home-pending">
            {h.pendingValue(home.pending_changes, home.pending_responses)}
          </dd>
        </div>
        <div>
          <dt>{h.lastSync}</dt>
          <dd data-testid="home-last-sync">
            {formatDateTime(current.last_sync, lang) ?? h.never}
          </dd>
        </div>
        <div>
          <dt>{h.connection}</dt>
          <dd data-testid="home-online" data-online={view.online}>
            {connection}
          </dd>
        </div>
        <div>
          <dt>{h.form}</dt>
          <dd>{home.form_title}</dd>
        </div>
      </dl>
      {home.conflicts > 0 && (
        <button type="button" className="notice" onClick={() => go({ name: "responses" })}>
          {h.conflicts(home.conflicts)}
        </button>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={() => go({ name: "interview" })}>
          {t.nav.interview}
        </button>
        <button type="button" onClick={() => go({ name: "paper" })}>
          {t.nav.paper}
        </button>
        <button type="button" onClick={() => go({ name: "kiosk" })}>
          {t.nav.kiosk}
        </button>
      </div>
    </section>
  );
}
