// The respondents' suggestions (saran) of a unit: searchable, by period, each markable as
// followed up or linked to the item of its period's follow-up plan (RTL) that answers it.
// A viewer reads; a supervisor or an admin marks, under their name. Suggestions are shown as
// text, whatever they hold.
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../api";
import { Link } from "../Link";
import { PeriodSelect } from "../PeriodSelect";
import { useWeb } from "../shell";
import type { PlanItem, Suggestion } from "../types";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";
import { suggestionDate } from "../saran";

export function SaranPage({ code, period: initial }: { code: string; period: string }) {
  const { t, lang, me, failed } = useWeb();
  const s = t.saran;
  const writes = me.role !== "viewer";
  const [period, setPeriod] = useState(initial);
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const { data: summary } = useLoad(() => api.summary(code), `saran-periods|${code}`);
  const { data, error, reload } = useLoad(() => api.saran(code, period, search), `${code}|${period}|${search}`);
  const [rows, setRows] = useState<Suggestion[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const plans = usePlans(code, rows);
  useEffect(() => setRows(data ?? []), [data]);

  const mark = async (row: Suggestion, change: Partial<Pick<Suggestion, "followed_up" | "rtl_item">>) => {
    const next = { followed_up: row.followed_up, rtl_item: row.rtl_item, ...change };
    setProblem(null);
    try {
      await api.markSaran(code, row.response, next);
      setRows((all) =>
        all.map((r) =>
          r.response === row.response ? { ...r, ...next, changed: { by: me.name, at: new Date().toISOString() } } : r,
        ),
      );
    } catch (e) {
      setProblem(failed(e));
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch(typed.trim());
  };
  const followed = rows.filter((r) => r.followed_up || r.rtl_item !== null).length;

  return (
    <section data-testid="page-saran">
      <p>
        <Link to={{ name: "unit", code }}>{s.back}</Link>
      </p>
      <h1>{s.title(code)}</h1>
      <form className="web-toolbar" onSubmit={submit}>
        <PeriodSelect periods={(summary?.periods ?? [])} value={period} onChange={setPeriod} testid="saran-period" />
        <label>
          {s.search}{" "}
          <input data-testid="saran-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
        <button type="submit" data-testid="saran-search-go">
          {s.find}
        </button>
      </form>
      {!writes && <p className="muted">{s.viewerOnly}</p>}
      {error && <LoadError message={error} retry={reload} />}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {data && (
        <>
          <p data-testid="saran-count">{s.count(rows.length, followed)}</p>
          {rows.length === 0 ? (
            <p className="muted">{search ? s.noneFound(search) : s.none}</p>
          ) : (
            <table className="web-table" data-testid="saran-table">
              <thead>
                <tr>
                  <th>{s.when}</th>
                  <th>{t.unit.service}</th>
                  <th>{s.text}</th>
                  <th>{s.followedUp}</th>
                  <th>{s.rtl}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => {
                  const items = plans[row.period] ?? [];
                  return (
                    <tr key={row.response} data-testid={`saran-${row.response}`}>
                      <td>
                        {suggestionDate(row).toLocaleDateString(lang === "id" ? "id-ID" : "en-GB", {
                          day: "numeric",
                          month: "short",
                          year: "numeric",
                        })}
                        <div className="muted">
                          {row.period}
                          {row.serial ? ` · ${row.serial}` : ""}
                        </div>
                      </td>
                      <td>{row.service ?? t.none}</td>
                      <td className="web-saran-text">{row.text}</td>
                      <td>
                        <label className="web-check">
                          <input
                            type="checkbox"
                            data-testid="saran-followed"
                            disabled={!writes}
                            checked={row.followed_up}
                            onChange={(e) => mark(row, { followed_up: e.target.checked })}
                          />{" "}
                          {s.done}
                        </label>
                        {row.changed && <div className="muted">{s.by(row.changed.by)}</div>}
                      </td>
                      <td>
                        <select
                          data-testid="saran-rtl"
                          disabled={!writes || items.length === 0}
                          value={row.rtl_item ?? ""}
                          onChange={(e) => mark(row, { rtl_item: e.target.value === "" ? null : Number(e.target.value) })}
                        >
                          <option value="">{items.length === 0 ? s.noPlan : s.noItem}</option>
                          {items.map((item) => (
                            <option key={item.no} value={item.no}>
                              {item.no}. {item.unsur} — {item.program}
                            </option>
                          ))}
                        </select>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** The RTL items of every period among `rows`, loaded once per period. */
function usePlans(code: string, rows: Suggestion[]): Record<string, PlanItem[]> {
  const [plans, setPlans] = useState<Record<string, PlanItem[]>>({});
  const wanted = [...new Set(rows.map((r) => r.period))].filter((p) => !(p in plans)).sort();
  const key = wanted.join(",");
  useEffect(() => {
    if (wanted.length === 0) return;
    let live = true;
    Promise.all(
      wanted.map((period) =>
        api.plan(code, period).then(
          (plan) => [period, plan.items] as const,
          () => [period, [] as PlanItem[]] as const,
        ),
      ),
    ).then((loaded) => live && setPlans((all) => ({ ...all, ...Object.fromEntries(loaded) })));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [code, key]);
  return plans;
}
