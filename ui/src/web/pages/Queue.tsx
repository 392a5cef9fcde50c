import { useState } from "react";
import { formatDateTime } from "../../lib/format";
import { api } from "../api";
import { Link } from "../Link";
import { EMPTY_FILTER, type QueueFilter, REVIEW_STATES, approvable, choices, queueQuery, responseLabel } from "../queue";
import { useWeb } from "../shell";
import type { ResponseSummary } from "../types";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";

export function Queue({ code }: { code: string }) {
  const { t, lang, me, failed } = useWeb();
  const [filter, setFilter] = useState<QueueFilter>(EMPTY_FILTER);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const { data: rows, error, reload } = useLoad(() => api.responses(code, filter), `${code}${queueQuery(filter)}`);
  // Choices come from the whole unit, so narrowing one filter never empties another's list.
  const { data: all } = useLoad(() => api.responses(code, EMPTY_FILTER), code);
  const set = (key: keyof QueueFilter) => (value: string) => setFilter((f) => ({ ...f, [key]: value }));
  const options = (pick: (row: ResponseSummary) => string | null, chosen: string) => choices(all ?? [], pick, chosen);

  return (
    <section data-testid="page-queue">
      <p>
        <Link to={{ name: "unit", code }}>{t.queue.back}</Link>
      </p>
      <h1>{t.queue.title(code)}</h1>
      <div className="web-filters">
        <Select label={t.queue.state} testid="filter-state" value={filter.state} onChange={set("state")}
          options={REVIEW_STATES.map((s) => [s, t.review[s]])} any={t.queue.any} />
        <Select label={t.queue.period} testid="filter-period" value={filter.period} onChange={set("period")}
          options={options((r) => r.period, filter.period).map((p) => [p, p])} any={t.queue.any} />
        <Select label={t.queue.channel} testid="filter-channel" value={filter.channel} onChange={set("channel")}
          options={options((r) => r.channel, filter.channel).map((c) => [c, t.channel(c)])} any={t.queue.any} />
        <Select label={t.queue.service} testid="filter-service" value={filter.service} onChange={set("service")}
          options={options((r) => r.service, filter.service).map((s) => [s, s])} any={t.queue.any} />
        <label>
          {t.queue.from}
          <input type="date" data-testid="filter-from" value={filter.from} onChange={(e) => set("from")(e.target.value)} />
        </label>
        <label>
          {t.queue.to}
          <input type="date" data-testid="filter-to" value={filter.to} onChange={(e) => set("to")(e.target.value)} />
        </label>
        <button type="button" className="small" onClick={() => setFilter(EMPTY_FILTER)}>
          {t.queue.clear}
        </button>
        <a href={`/api/v1/units/${encodeURIComponent(code)}/responses.csv${queueQuery(filter)}`} data-testid="queue-csv" download>
          {t.queue.downloadCsv}
        </a>
        <a href={`/api/v1/units/${encodeURIComponent(code)}/responses.xlsx${queueQuery(filter)}`} data-testid="queue-xlsx" download>
          {t.queue.downloadXlsx}
        </a>
      </div>
      {error && <LoadError message={error} retry={reload} />}
      {rows && <p data-testid="queue-count">{t.queue.count(rows.length)}</p>}
      {rows && me.role !== "viewer" && approvable(rows).length > 0 && (
        <div className="web-bulk">
          {!confirming ? (
            <button type="button" data-testid="approve-page" onClick={() => setConfirming(true)}>
              {t.queue.approvePage(approvable(rows).length)}
            </button>
          ) : (
            <>
              <span>{t.queue.approveSure(approvable(rows).length)}</span>{" "}
              <button
                type="button"
                data-testid="approve-page-confirm"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  try {
                    const { reviewed } = await api.reviewAll(code, approvable(rows), "approved", null);
                    setOutcome({ ok: true, text: t.queue.approved(reviewed) });
                    reload();
                  } catch (e) {
                    setOutcome({ ok: false, text: failed(e) });
                  } finally {
                    setBusy(false);
                    setConfirming(false);
                  }
                }}
              >
                {t.queue.approveYes}
              </button>{" "}
              <button type="button" className="small" onClick={() => setConfirming(false)}>
                {t.queue.approveNo}
              </button>
            </>
          )}
        </div>
      )}
      {outcome && (
        <p role="status" className={outcome.ok ? "ok" : "error"} data-testid="approve-page-outcome">
          {outcome.text}
        </p>
      )}
      {rows && rows.length === 0 && <p>{t.queue.empty}</p>}
      {rows && rows.length > 0 && (
        <table className="web-table">
          <thead>
            <tr>
              <th>{t.queue.response}</th>
              <th>{t.queue.created}</th>
              <th>{t.queue.period}</th>
              <th>{t.queue.channel}</th>
              <th>{t.queue.service}</th>
              <th>{t.queue.state}</th>
              <th className="num">{t.queue.conflicts}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid={`queue-row-${row.id}`}>
                <td>
                  <Link to={{ name: "response", id: row.id }} testid={`open-response-${row.id}`}>
                    {responseLabel(row)}
                  </Link>
                  {row.status !== "final" && <span className="web-tag"> {t.queue.draft}</span>}
                  {row.deleted && <span className="web-tag"> {t.queue.deleted}</span>}
                </td>
                <td>{formatDateTime(row.created_at, lang) ?? t.none}</td>
                <td>{row.period}</td>
                <td>{t.channel(row.channel)}</td>
                <td>{row.service ?? t.none}</td>
                <td data-testid={`queue-review-${row.id}`} className={`review-${row.review}`}>
                  {t.review[row.review] ?? row.review}
                </td>
                <td className="num">{row.conflicts > 0 ? <strong className="warn">{row.conflicts}</strong> : 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Select(props: {
  label: string;
  testid: string;
  value: string;
  onChange: (value: string) => void;
  options: [string, string][];
  any: string;
}) {
  return (
    <label>
      {props.label}
      <select data-testid={props.testid} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.any}</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
