import { useState } from "react";
import { formatScore, gradeColour } from "../../lib/reportModel";
import { api } from "../api";
import { Link } from "../Link";
import { dayBars, overviewRows } from "../overview";
import { useWeb } from "../shell";
import { useLoad } from "../useLoad";

export function Overview() {
  const { t, lang } = useWeb();
  const [typed, setTyped] = useState("");
  const [period, setPeriod] = useState("");
  const { data, error, reload } = useLoad(() => api.overview(period || undefined), `overview|${period}`);
  const when = (iso: string) =>
    new Date(iso).toLocaleString(lang === "id" ? "id-ID" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  const bars = data ? dayBars(data.per_day) : [];
  return (
    <section data-testid="page-overview">
      <h1>{t.overview.title}</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setPeriod(typed.trim());
        }}
      >
        <label>
          {t.overview.period}{" "}
          <input
            data-testid="overview-period"
            value={typed}
            placeholder={t.overview.periodHint}
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>{" "}
        <button type="submit" className="small">
          {t.overview.show}
        </button>
      </form>
      {error && <LoadError message={error} retry={reload} />}
      {!data && !error && <p>{t.loading}</p>}
      {data && data.units.length === 0 && <p>{t.overview.empty}</p>}
      {data && data.units.length > 0 && (
        <>
          <table className="web-table">
            <thead>
              <tr>
                <th>#</th>
                <th>{t.overview.unit}</th>
                <th className="num">{t.overview.sample}</th>
                <th className="num">{t.overview.ikm}</th>
                <th>{t.overview.mutu}</th>
                <th className="num">{t.overview.waiting}</th>
                <th className="num">{t.overview.conflicts}</th>
                <th className="num">{t.overview.devices}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {overviewRows(data, lang).map((row) => (
                <tr key={row.code} data-testid={`overview-${row.code}`}>
                  <td>{row.rank ?? t.none}</td>
                  <td>
                    <Link to={{ name: "unit", code: row.code }} testid={`open-unit-${row.code}`}>
                      <strong>{row.code}</strong>
                    </Link>{" "}
                    {row.name}
                  </td>
                  <td className="num">
                    <span data-testid={`overview-n-${row.code}`}>{row.n}</span>
                    {row.target !== null && ` / ${row.target}`}
                    {row.targetMet !== null && (
                      <div className={row.targetMet ? "ok" : "warn"} data-testid={`overview-target-${row.code}`}>
                        {row.targetMet ? t.overview.met : t.overview.notMet}
                      </div>
                    )}
                  </td>
                  <td className="num" data-testid={`overview-ikm-${row.code}`}>
                    {row.ikm}
                  </td>
                  <td>
                    {row.grade ? (
                      <span className="grade-badge" style={{ background: gradeColour(row.grade) }}>
                        {row.grade}
                      </span>
                    ) : (
                      t.none
                    )}{" "}
                    {row.gradeLabel}
                  </td>
                  <td className="num" data-testid={`overview-waiting-${row.code}`}>
                    {row.waiting}
                  </td>
                  <td className={row.conflicted > 0 ? "num warn" : "num"} data-testid={`overview-conflicts-${row.code}`}>
                    {row.conflicted}
                  </td>
                  <td className="num">
                    {row.devices}
                    {row.silentDevices > 0 && (
                      <div className="warn" data-testid={`overview-silent-${row.code}`}>
                        {t.overview.silent(row.silentDevices)}
                      </div>
                    )}
                  </td>
                  <td>
                    <Link to={{ name: "queue", code: row.code }} testid={`open-queue-${row.code}`}>
                      {t.overview.review}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-testid="overview-pooled">
                <td />
                <td>{t.overview.pooled(data.pooled.units)}</td>
                <td className="num">{data.pooled.n}</td>
                <td className="num" data-testid="overview-pooled-ikm">
                  {formatScore(data.pooled.ikm, lang)}
                </td>
                <td>{data.pooled.grade ?? t.none}</td>
                <td colSpan={4} />
              </tr>
            </tfoot>
          </table>

          <h2>{t.overview.perDay}</h2>
          {bars.length === 0 ? (
            <p>{t.overview.perDayEmpty}</p>
          ) : (
            <div className="day-chart" data-testid="overview-per-day" role="img" aria-label={t.overview.perDay}>
              {bars.map((bar) => (
                <div
                  key={bar.day}
                  className="day-bar"
                  title={t.overview.perDayBar(bar.day, bar.n)}
                  data-testid={`day-${bar.day}`}
                  data-n={bar.n}
                >
                  <span style={{ height: `${bar.percent}%` }} />
                </div>
              ))}
            </div>
          )}
          {bars.length > 0 && (
            <p className="day-range">
              {bars[0].day} – {bars[bars.length - 1].day}
            </p>
          )}

          <h2>{t.overview.devicesTitle}</h2>
          <table className="web-table" data-testid="overview-devices">
            <thead>
              <tr>
                <th>{t.overview.unit}</th>
                <th>{t.overview.device}</th>
                <th>{t.overview.lastSync}</th>
              </tr>
            </thead>
            <tbody>
              {data.devices.map((device) => (
                <tr key={device.id} className={device.silent ? "silent" : undefined} data-testid={`device-${device.id}`}>
                  <td>{device.unit}</td>
                  <td>{device.name}</td>
                  <td>
                    {device.last_sync_at ? when(device.last_sync_at) : t.overview.never}
                    {device.silent && (
                      <div className="warn" data-testid="device-silent">
                        {t.overview.silentMark(data.silent_after_days)}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function LoadError({ message, retry }: { message: string; retry: () => void }) {
  const { t } = useWeb();
  return (
    <p className="error" role="alert" data-testid="load-error">
      {message}{" "}
      <button type="button" className="small" onClick={retry}>
        {t.retry}
      </button>
    </p>
  );
}
