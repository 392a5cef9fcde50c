// A unit's follow-up plan (RTL) for one period, what became of the previous period's plan,
// and the official report's narrative: what the PDF prints beside the results. A viewer
// reads; a supervisor or an admin writes, and the server keeps who did.
import { useEffect, useState } from "react";
import { api } from "../api";
import { Link } from "../Link";
import {
  QUARTERS,
  type FollowUpRow,
  type PlanRow,
  followUpsOf,
  narrativeBody,
  newRow,
  planBody,
  reportHref,
  rowsOf,
  toggleQuarter,
} from "../plan";
import { useWeb } from "../shell";
import type { Changed, NarrativeView, PlanView } from "../types";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";

export function PlanPage({ code, period }: { code: string; period: string }) {
  const { t, me } = useWeb();
  const p = t.plan;
  const writes = me.role !== "viewer";
  const plan = useLoad(() => api.plan(code, period), `${code}|${period}|plan`);
  const narrative = useLoad(() => api.narrative(code, period), `${code}|${period}|narrative`);

  return (
    <section data-testid="page-plan">
      <p>
        <Link to={{ name: "unit", code }}>{p.back}</Link>
      </p>
      <h1>{p.title(code, period)}</h1>
      <div className="web-toolbar">
        <a href={reportHref(code, "pdf", period)} data-testid="download-pdf-plan" download>
          {t.unit.downloadPdf}
        </a>
      </div>
      {!writes && <p className="muted">{p.viewerOnly}</p>}
      {plan.error && <LoadError message={plan.error} retry={plan.reload} />}
      {plan.data && <PlanForm code={code} period={period} view={plan.data} writes={writes} />}
      {narrative.error && <LoadError message={narrative.error} retry={narrative.reload} />}
      {narrative.data && <NarrativeForm code={code} period={period} view={narrative.data} writes={writes} />}
    </section>
  );
}

function ChangedBy({ changed }: { changed: Changed | null }) {
  const { t } = useWeb();
  if (!changed) return null;
  return <span className="muted"> {t.plan.changedBy(changed.by, new Date(changed.at).toLocaleString())}</span>;
}

function PlanForm({ code, period, view, writes }: { code: string; period: string; view: PlanView; writes: boolean }) {
  const { t, failed } = useWeb();
  const p = t.plan;
  const [rows, setRows] = useState<PlanRow[]>(() => rowsOf(view));
  const [followUps, setFollowUps] = useState<FollowUpRow[]>(() => followUpsOf(view));
  const [fkp, setFkp] = useState(view.fkp_date ?? "");
  const [saved, setSaved] = useState<PlanView>(view);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const edit = (i: number, change: Partial<PlanRow>) =>
    setRows((all) => all.map((row, at) => (at === i ? { ...row, ...change } : row)));
  const editFollowUp = (i: number, change: Partial<FollowUpRow>) =>
    setFollowUps((all) => all.map((row, at) => (at === i ? { ...row, ...change } : row)));

  const save = async () => {
    setMessage(null);
    try {
      const next = await api.savePlan(code, period, planBody(fkp, rows, followUps));
      setSaved(next);
      setRows(rowsOf(next));
      setFollowUps(followUpsOf(next));
      setMessage({ ok: true, text: p.saved });
    } catch (error) {
      setMessage({ ok: false, text: failed(error) });
    }
  };

  return (
    <>
      <h2>
        {p.rtl}
        <ChangedBy changed={saved.changed} />
      </h2>
      <table className="web-table" data-testid="plan-table">
        <thead>
          <tr>
            <th>No</th>
            <th>{p.unsur}</th>
            <th>{p.program}</th>
            <th>{p.quarters}</th>
            <th>{p.responsible}</th>
            {writes && <th />}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} data-testid={`plan-row-${i + 1}`}>
              <td>{i + 1}</td>
              <td>
                <select
                  data-testid={`plan-unsur-${i + 1}`}
                  value={row.unsur}
                  disabled={!writes}
                  onChange={(e) => edit(i, { unsur: e.target.value })}
                >
                  {view.unsur.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.id} {u.name}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <textarea
                  data-testid={`plan-program-${i + 1}`}
                  value={row.program}
                  readOnly={!writes}
                  rows={2}
                  onChange={(e) => edit(i, { program: e.target.value })}
                />
              </td>
              <td>
                {QUARTERS.map((q) => (
                  <label key={q} className="plan-quarter">
                    <input
                      type="checkbox"
                      data-testid={`plan-quarter-${i + 1}-${q}`}
                      checked={row.quarters.includes(q)}
                      disabled={!writes}
                      onChange={() => edit(i, { quarters: toggleQuarter(row.quarters, q) })}
                    />{" "}
                    TW {q}
                  </label>
                ))}
              </td>
              <td>
                <input
                  data-testid={`plan-responsible-${i + 1}`}
                  value={row.responsible}
                  readOnly={!writes}
                  onChange={(e) => edit(i, { responsible: e.target.value })}
                />
              </td>
              {writes && (
                <td>
                  <button type="button" className="ghost" onClick={() => setRows((all) => all.filter((_, at) => at !== i))}>
                    {p.remove}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p className="muted">{p.empty}</p>}
      <div className="web-actions">
        {writes && (
          <button type="button" className="ghost" data-testid="plan-add" onClick={() => setRows((all) => [...all, newRow(view)])}>
            {p.add}
          </button>
        )}
        <label>
          {p.fkp}
          <input type="date" data-testid="plan-fkp" value={fkp} readOnly={!writes} onChange={(e) => setFkp(e.target.value)} />
        </label>
      </div>

      <h2>{view.previous ? p.previous(view.previous.period) : p.previousNone}</h2>
      {view.previous && (
        <table className="web-table" data-testid="follow-up-table">
          <thead>
            <tr>
              <th>No</th>
              <th>{p.rtl}</th>
              <th>{p.done}</th>
              <th>{p.description}</th>
            </tr>
          </thead>
          <tbody>
            {view.previous.items.map((item, i) => (
              <tr key={item.no}>
                <td>{item.no}</td>
                <td>
                  {item.program} <span className="muted">({item.unsur})</span>
                  <ChangedBy changed={item.changed} />
                </td>
                <td>
                  <input
                    type="checkbox"
                    data-testid={`follow-up-done-${item.no}`}
                    checked={followUps[i]?.done ?? false}
                    disabled={!writes}
                    onChange={(e) => editFollowUp(i, { done: e.target.checked })}
                  />
                </td>
                <td>
                  <textarea
                    data-testid={`follow-up-description-${item.no}`}
                    value={followUps[i]?.description ?? ""}
                    readOnly={!writes}
                    rows={2}
                    onChange={(e) => editFollowUp(i, { description: e.target.value })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {writes && (
        <div className="web-actions">
          <button type="button" data-testid="plan-save" onClick={save}>
            {p.save}
          </button>
        </div>
      )}
      {message && (
        <p data-testid="plan-message" className={message.ok ? "web-ok" : "error"} role="status">
          {message.text}
        </p>
      )}
    </>
  );
}

function NarrativeForm({
  code,
  period,
  view,
  writes,
}: {
  code: string;
  period: string;
  view: NarrativeView;
  writes: boolean;
}) {
  const { t, failed } = useWeb();
  const p = t.plan;
  const [parts, setParts] = useState(view.parts);
  const [edited, setEdited] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setParts(view.parts), [view]);

  const save = async () => {
    setMessage(null);
    try {
      const next = await api.saveNarrative(code, period, narrativeBody(parts, edited));
      setParts(next.parts);
      setEdited({});
      setMessage({ ok: true, text: p.saved });
    } catch (error) {
      setMessage({ ok: false, text: failed(error) });
    }
  };

  return (
    <>
      <h2>{p.narrative}</h2>
      <p className="muted">{p.narrativeHelp}</p>
      <div className="web-form">
        {parts.map((part) => (
          <label key={part.field}>
            <span>
              {p.fields[part.field] ?? part.field}
              <ChangedBy changed={part.changed} />
            </span>
            <textarea
              data-testid={`narrative-${part.field}`}
              value={edited[part.field] ?? part.value ?? part.default}
              readOnly={!writes}
              rows={part.default.length > 120 || (part.value ?? "").length > 120 ? 5 : 1}
              onChange={(e) => setEdited((all) => ({ ...all, [part.field]: e.target.value }))}
            />
          </label>
        ))}
      </div>
      {writes && (
        <div className="web-actions">
          <button type="button" data-testid="narrative-save" onClick={save}>
            {p.saveNarrative}
          </button>
        </div>
      )}
      {message && (
        <p data-testid="narrative-message" className={message.ok ? "web-ok" : "error"} role="status">
          {message.text}
        </p>
      )}
    </>
  );
}
