import { useEffect, useState } from "react";
import * as backend from "../backend";
import type { ReportView } from "../bindings/ReportView";
import type { ResponseFilter } from "../bindings/ResponseFilter";
import { Bar } from "../components/Bar";
import { ChannelFilter, FilterSelect } from "../components/FilterSelect";
import { useShell } from "../context";
import { formatScore, gradeColour, profileBars, targetProgress, unsurBars } from "../lib/reportModel";

/** IKM and mutu pelayanan, NRR per unsur with the weakest marked, and who answered. */
export function ReportScreen() {
  const { t, lang, guard } = useShell();
  const [filter, setFilter] = useState<ResponseFilter>({
    period: null,
    service: null,
    channel: null,
    has_conflict: null,
    include_deleted: false,
  });
  const [report, setReport] = useState<ReportView | null>(null);

  useEffect(() => {
    let live = true;
    guard(backend.report(filter)).then((r) => live && r && setReport(r));
    return () => {
      live = false;
    };
  }, [filter, guard]);

  const rt = t.report;
  const progress = report ? targetProgress(report.n, report.target) : null;

  return (
    <section className="screen report" data-testid="screen-report">
      <h1>{rt.title}</h1>
      <div className="filters">
        <FilterSelect
          label={t.responses.period}
          data-testid="report-filter-period"
          value={filter.period}
          options={report?.periods ?? []}
          onChange={(period) => setFilter({ ...filter, period })}
        />
        <FilterSelect
          label={t.responses.service}
          data-testid="report-filter-service"
          value={filter.service}
          options={report?.services ?? []}
          onChange={(service) => setFilter({ ...filter, service })}
        />
        <ChannelFilter
          data-testid="report-filter-channel"
          value={filter.channel}
          onChange={(channel) => setFilter({ ...filter, channel })}
        />
      </div>

      {!report ? (
        <p>{t.loading}</p>
      ) : (
        <>
          <div className="score-cards">
            <div className="score-card" style={{ borderColor: gradeColour(report.grade) }}>
              <div className="muted">{rt.ikm}</div>
              <div className="score" data-testid="report-ikm">
                {formatScore(report.ikm, lang)}
              </div>
            </div>
            <div className="score-card" style={{ borderColor: gradeColour(report.grade) }}>
              <div className="muted">{rt.grade}</div>
              <div className="score" data-testid="report-grade" style={{ color: gradeColour(report.grade) }}>
                {report.grade ?? "—"}
                {report.grade_label && <span className="grade-label"> {report.grade_label}</span>}
              </div>
            </div>
            <div className="score-card">
              <div className="muted">{rt.n}</div>
              <div className="score" data-testid="report-n">
                {report.n}
              </div>
            </div>
            <div className="score-card">
              <div className="muted">{rt.target}</div>
              <div className="score" data-testid="report-target">
                {report.target ?? "—"}
              </div>
              {progress && <Bar width={progress.percent} colour={progress.reached ? "var(--phase-ok)" : "var(--accent)"} />}
            </div>
          </div>
          {report.n === 0 && <p className="muted">{rt.noData}</p>}

          <h2>{rt.unsur}</h2>
          <ul className="unsur-bars">
            {unsurBars(report).map((b) => (
              <li
                key={b.id}
                className={b.weakest ? "unsur-bar weakest" : "unsur-bar"}
                data-testid="unsur-bar"
                data-unsur={b.id}
                data-weakest={b.weakest ? "true" : undefined}
              >
                <div className="unsur-head">
                  <span>
                    <strong>{b.id}</strong> {b.name}
                  </span>
                  <span>
                    NRR {formatScore(b.nrr, lang)} · {formatScore(b.converted, lang)}{" "}
                    <strong style={{ color: b.colour }}>{b.grade ?? "—"}</strong>
                  </span>
                </div>
                <Bar width={b.width} colour={b.colour} />
                {b.weakest && <div className="weakest-note">▲ {rt.weakest}</div>}
              </li>
            ))}
          </ul>

          {report.profile.length > 0 && <h2>{rt.profile}</h2>}
          <div className="profile-charts">
            {report.profile.map((breakdown) => (
              <div key={breakdown.item} className="card" data-testid="profile-chart" data-item={breakdown.item}>
                <h3>{breakdown.label}</h3>
                <ul className="profile-bars">
                  {profileBars(breakdown).map((b) => (
                    <li key={b.code}>
                      <div className="unsur-head">
                        <span>{b.label}</span>
                        <span>
                          {b.count} ({b.percent.toLocaleString(lang === "id" ? "id-ID" : "en-GB")}%)
                        </span>
                      </div>
                      <Bar width={b.width} colour="var(--accent)" />
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
