import { gradeColour } from "../../lib/reportModel";
import { api } from "../api";
import { Link } from "../Link";
import { overviewRows } from "../overview";
import { useWeb } from "../shell";
import type { IkmReport, UnitRow } from "../types";
import { useLoad } from "../useLoad";

async function loadOverview(): Promise<{ units: UnitRow[]; reports: Record<string, IkmReport | null> }> {
  const units = await api.units();
  const reports: Record<string, IkmReport | null> = {};
  await Promise.all(
    units.map(async (unit) => {
      reports[unit.code] = await api.report(unit.code).catch(() => null);
    }),
  );
  return { units, reports };
}

export function Overview() {
  const { t, lang } = useWeb();
  const { data, error, reload } = useLoad(loadOverview, "overview");
  return (
    <section data-testid="page-overview">
      <h1>{t.overview.title}</h1>
      {error && <LoadError message={error} retry={reload} />}
      {!data && !error && <p>{t.loading}</p>}
      {data && data.units.length === 0 && <p>{t.overview.empty}</p>}
      {data && data.units.length > 0 && (
        <table className="web-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t.overview.unit}</th>
              <th className="num">{t.overview.n}</th>
              <th className="num">{t.overview.ikm}</th>
              <th>{t.overview.mutu}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {overviewRows(data.units, data.reports, lang).map((row) => (
              <tr key={row.code} data-testid={`overview-${row.code}`}>
                <td>{row.rank ?? t.none}</td>
                <td>
                  <Link to={{ name: "unit", code: row.code }} testid={`open-unit-${row.code}`}>
                    <strong>{row.code}</strong>
                  </Link>{" "}
                  {row.name}
                </td>
                <td className="num" data-testid={`overview-n-${row.code}`}>
                  {row.n ?? t.none}
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
                <td>
                  <Link to={{ name: "queue", code: row.code }} testid={`open-queue-${row.code}`}>
                    {t.overview.review}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
