import { useState } from "react";
import { Bar } from "../../components/Bar";
import { formatScore, gradeColour, unsurBars } from "../../lib/reportModel";
import { api } from "../api";
import { reportHref } from "../plan";
import { Link } from "../Link";
import { PeriodSelect } from "../PeriodSelect";
import { useWeb } from "../shell";
import { useLoad } from "../useLoad";
import { formatPercent, profileCharts, profileLines, trendBars } from "../summary";
import type { UnitSummary } from "../types";
import { LoadError } from "./Overview";

export function UnitPage({ code }: { code: string }) {
  const { t, lang, me, failed } = useWeb();
  const [period, setPeriod] = useState("");
  const { data: units, reload: reloadUnits } = useLoad(() => api.units(), `units|${code}`);
  const shown = units?.find((u) => u.code === code)?.public ?? false;
  const [publicError, setPublicError] = useState<string | null>(null);
  const { data: report, error, reload } = useLoad(() => api.report(code, period || undefined), `${code}|${period}`);
  const { data: summary } = useLoad(() => api.summary(code, period || undefined), `summary|${code}|${period}`);
  const periods = summary?.periods ?? [];
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
        <PeriodSelect periods={periods} value={period} onChange={setPeriod} testid="unit-period" />
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
        <Link to={{ name: "saran", code, period }} testid="open-saran">
          {t.unit.openSaran}
        </Link>
        <Link to={{ name: "devices", code }} testid="open-devices">
          {t.unit.devices}
        </Link>
        <Link to={{ name: "links", code }} testid="open-links">
          {t.unit.openLinks}
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
      {report && summary && <SummaryTables summary={summary} n={report.n} unsur={report.unsur.map((u) => u.id)} />}
    </section>
  );
}

/** Per service, the respondents' profile as the official table, and the trend. */
function SummaryTables({ summary, n, unsur }: { summary: UnitSummary; n: number; unsur: string[] }) {
  const { t, lang } = useWeb();
  const profile = profileLines(summary.profile, n, lang);
  const charts = profileCharts(summary.profile, n, lang);
  const trend = trendBars(summary.trend);
  return (
    <>
      <h2>{t.unit.services}</h2>
      {summary.services.length === 0 ? (
        <p className="muted">{t.unit.servicesNone}</p>
      ) : (
        <div className="web-scroll">
          <table className="web-table" data-testid="unit-services">
            <thead>
              <tr>
                <th>{t.unit.service}</th>
                <th className="num">n</th>
                {unsur.map((id) => (
                  <th key={id} className="num">
                    {id}
                  </th>
                ))}
                <th className="num">IKM</th>
                <th>{t.unit.mutu}</th>
              </tr>
            </thead>
            <tbody>
              {summary.services.map((line) => (
                <tr key={line.service}>
                  <td>{line.service}</td>
                  <td className="num">{line.n}</td>
                  {unsur.map((id) => (
                    <td key={id} className="num">
                      {formatScore(line.nrr.find(([u]) => u === id)?.[1] ?? null, lang)}
                    </td>
                  ))}
                  <td className="num">{formatScore(line.ikm, lang)}</td>
                  <td>{line.grade ?? t.none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t.unit.profile}</h2>
      <table className="web-table web-bars" data-testid="unit-profile">
        <thead>
          <tr>
            <th className="num">{t.unit.profileNo}</th>
            <th>{t.unit.profileCharacteristic}</th>
            <th>{t.unit.profileIndicator}</th>
            <th className="num">{t.unit.profileCount}</th>
            <th className="num">{t.unit.profilePercent}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {profile.map((line, i) => (
            <tr key={i}>
              {line.no !== null && (
                <>
                  <td className="num" rowSpan={line.span}>
                    {line.no}
                  </td>
                  <th scope="rowgroup" rowSpan={line.span}>
                    {line.characteristic}
                  </th>
                </>
              )}
              <td>{line.indicator}</td>
              <td className="num">{line.count}</td>
              <td className="num">{formatPercent(line.percent, lang)}</td>
              <td className="web-bar-cell">
                <Bar width={line.width} label={formatPercent(line.percent, lang)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="profile-charts" data-testid="unit-profile-charts">
        {charts.map((chart) => (
          <figure key={chart.item} className="profile-chart" data-testid="unit-profile-chart" data-item={chart.item}>
            <figcaption>{chart.characteristic}</figcaption>
            {chart.slices.length === 0 ? (
              <p className="muted">{t.none}</p>
            ) : (
              <div className="profile-chart-body">
                <svg viewBox="0 0 100 100" role="img" aria-label={t.unit.profileChart(chart.characteristic)}>
                  {chart.slices.map((slice) => (
                    <path key={slice.indicator} d={slice.path} fill={slice.colour}>
                      <title>{`${slice.indicator}: ${slice.count}`}</title>
                    </path>
                  ))}
                </svg>
                <ul className="profile-legend">
                  {chart.slices.map((slice) => (
                    <li key={slice.indicator} data-testid="unit-profile-slice" data-count={slice.count}>
                      <span className="swatch" style={{ background: slice.colour }} />
                      {slice.indicator} · {slice.count} <span className="nowrap">({formatPercent(slice.percent, lang)})</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </figure>
        ))}
      </div>
      <h2>{t.unit.trend}</h2>
      {trend.length === 0 ? (
        <p className="muted">{t.unit.trendNone}</p>
      ) : (
        <table className="web-table web-bars" data-testid="unit-trend">
          <thead>
            <tr>
              <th>{t.unit.trendPeriod}</th>
              <th className="num">n</th>
              <th className="num">IKM</th>
              <th>{t.unit.mutu}</th>
              <th className="num">{t.unit.trendChange}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {trend.map((bar) => (
              <tr key={bar.period}>
                <td>{bar.period}</td>
                <td className="num">{bar.n}</td>
                <td className="num">{formatScore(bar.ikm, lang)}</td>
                <td>{bar.grade ?? t.none}</td>
                <td className="num">
                  {bar.change === null ? "" : `${bar.change > 0 ? "+" : ""}${formatScore(bar.change, lang)}`}
                </td>
                <td className="web-bar-cell">
                  <Bar width={bar.width} colour={gradeColour(bar.grade)} label={formatScore(bar.ikm, lang)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
