import { useState } from "react";
import { Bar } from "../../components/Bar";
import { formatScore, gradeColour, unsurBars } from "../../lib/reportModel";
import { api } from "../api";
import { reportHref } from "../plan";
import { Link } from "../Link";
import { useWeb } from "../shell";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";

export function UnitPage({ code }: { code: string }) {
  const { t, lang, me, failed } = useWeb();
  const [period, setPeriod] = useState("");
  const { data: units, reload: reloadUnits } = useLoad(() => api.units(), `units|${code}`);
  const shown = units?.find((u) => u.code === code)?.public ?? false;
  const [publicError, setPublicError] = useState<string | null>(null);
  const { data: report, error, reload } = useLoad(() => api.report(code, period || undefined), `${code}|${period}`);
  // The periods come from the unit's responses: the report itself does not list them.
  const { data: rows } = useLoad(() => api.responses(code, { state: "", period: "", channel: "", service: "", from: "", to: "" }), code);
  const periods = [...new Set((rows ?? []).map((r) => r.period))].sort();
  // The plan is of one period: the chosen one, else the latest with responses.
  const planPeriod = period || periods[periods.length - 1] || "";
  const bars = report ? unsurBars(report) : [];
  const weakest = bars.find((b) => b.weakest);

  return (
    <section data-testid="page-unit">
      <p>
        <Link to={{ name: "overview" }}>{t.unit.back}</Link>
      </p>
      <h1>{code}</h1>
      <div className="web-toolbar">
        <label>
          {t.unit.period}{" "}
          <select data-testid="unit-period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            <option value="">{t.unit.allPeriods}</option>
            {periods.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <Link to={{ name: "queue", code }} testid="open-queue">
          {t.unit.review}
        </Link>
        <a href={reportHref(code, "xlsx", period)} data-testid="download-xlsx" download>
          {t.unit.downloadXlsx}
        </a>
        <a href={reportHref(code, "pdf", period)} data-testid="download-pdf" download>
          {t.unit.downloadPdf}
        </a>
        {planPeriod && (
          <Link to={{ name: "plan", code, period: planPeriod }} testid="open-plan">
            {t.unit.openPlan}
          </Link>
        )}
        <Link to={{ name: "devices", code }} testid="open-devices">
          {t.unit.devices}
        </Link>
      </div>
      <div className="web-toolbar">
        {me.role !== "viewer" && units && (
          <label className="web-check">
            <input
              type="checkbox"
              data-testid="unit-public"
              checked={shown}
              onChange={async (e) => {
                setPublicError(null);
                try {
                  await api.setPublic(code, e.target.checked);
                  reloadUnits();
                } catch (error) {
                  setPublicError(failed(error));
                }
              }}
            />{" "}
            {t.unit.publicToggle}
          </label>
        )}
        {shown && (
          <>
            <a href={`/publik/${encodeURIComponent(code)}`} data-testid="unit-public-link">
              {t.unit.publicLink}
            </a>{" "}
            <a href={`/publik/${encodeURIComponent(code)}?layar=penuh`}>{t.unit.publicScreen}</a>
          </>
        )}
        {publicError && (
          <span className="error" role="alert">
            {publicError}
          </span>
        )}
      </div>
      {error && <LoadError message={error} retry={reload} />}
      {report && (
        <>
          <div className="web-cards">
            <div className="web-card">
              <div className="muted">{t.unit.ikm}</div>
              <div className="web-big" data-testid="unit-ikm">
                {formatScore(report.ikm, lang)}
              </div>
              <div className="muted">
                {t.unit.interval}: {formatScore(report.ikm_interval, lang)}
              </div>
            </div>
            <div className="web-card">
              <div className="muted">{t.unit.mutu}</div>
              <div className="web-big" data-testid="unit-grade">
                {report.grade ? (
                  <span className="grade-badge" style={{ background: gradeColour(report.grade) }}>
                    {report.grade}
                  </span>
                ) : (
                  t.none
                )}
              </div>
              <div className="muted">{report.grade_label ?? ""}</div>
            </div>
            <div className="web-card">
              <div className="muted">{t.unit.n}</div>
              <div className="web-big" data-testid="unit-n">
                {report.n}
              </div>
            </div>
          </div>
          {report.n === 0 && <p>{t.unit.noData}</p>}
          <h2>{t.unit.unsur}</h2>
          {weakest && <p data-testid="unit-weakest">{t.unit.weakestNote(`${weakest.id} ${weakest.name}`)}</p>}
          <table className="web-table web-bars">
            <thead>
              <tr>
                <th>Unsur</th>
                <th />
                <th className="num">NRR</th>
                <th className="num">NRR × 25</th>
                <th>{t.unit.mutu}</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((bar) => (
                <tr key={bar.id} data-testid={`unsur-${bar.id}`} className={bar.weakest ? "weakest" : undefined}>
                  <td>
                    <strong>{bar.id}</strong> {bar.name}
                    {bar.weakest && <span className="web-tag"> {t.unit.weakest}</span>}
                  </td>
                  <td className="web-bar-cell">
                    <Bar width={bar.width} colour={bar.colour} label={formatScore(bar.converted, lang)} />
                  </td>
                  <td className="num">{formatScore(bar.nrr, lang)}</td>
                  <td className="num">{formatScore(bar.converted, lang)}</td>
                  <td>{bar.grade ?? t.none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
