import { useEffect, useState } from "react";
import * as backend from "../backend";
import type { ResponseFilter } from "../bindings/ResponseFilter";
import type { ResponseRow } from "../bindings/ResponseRow";
import { ChannelFilter, FilterSelect } from "../components/FilterSelect";
import { useShell } from "../context";
import { formatDateTime } from "../lib/format";

/** Every response on this device, newest first, with the filters a supervisor asks for. */
export function ResponsesScreen() {
  const { t, lang, guard, go } = useShell();
  const [filter, setFilter] = useState<ResponseFilter>({
    period: null,
    service: null,
    channel: null,
    has_conflict: null,
    include_deleted: true,
  });
  const [rows, setRows] = useState<ResponseRow[] | null>(null);
  // The choices for the selects, gathered from everything listed so far.
  const [periods, setPeriods] = useState<string[]>([]);
  const [services, setServices] = useState<string[]>([]);

  useEffect(() => {
    let live = true;
    guard(backend.listResponses(filter)).then((list) => {
      if (!live || !list) return;
      setRows(list);
      const merge = (prev: string[], add: (string | null)[]) =>
        [...new Set([...prev, ...add.filter((x): x is string => !!x)])].sort();
      setPeriods((p) => merge(p, list.map((r) => r.period)));
      setServices((s) => merge(s, list.map((r) => r.service)));
    });
    return () => {
      live = false;
    };
  }, [filter, guard]);

  const r = t.responses;
  return (
    <section className="screen" data-testid="screen-responses">
      <h1>{r.title}</h1>
      <div className="filters">
        <ChannelFilter
          data-testid="filter-channel"
          value={filter.channel}
          onChange={(channel) => setFilter({ ...filter, channel })}
        />
        <FilterSelect
          label={r.service}
          data-testid="filter-service"
          value={filter.service}
          options={services}
          onChange={(service) => setFilter({ ...filter, service })}
        />
        <FilterSelect
          label={r.period}
          data-testid="filter-period"
          value={filter.period}
          options={periods}
          onChange={(period) => setFilter({ ...filter, period })}
        />
        <label className="check">
          <input
            type="checkbox"
            data-testid="filter-conflict"
            checked={filter.has_conflict === true}
            onChange={(e) => setFilter({ ...filter, has_conflict: e.target.checked ? true : null })}
          />
          {r.onlyConflicts}
        </label>
      </div>
      {rows === null ? (
        <p>{t.loading}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{r.empty}</p>
      ) : (
        <ul className="response-list">
          {rows.map((row) => (
            <li key={row.id}>
              <button
                type="button"
                className={row.deleted ? "response-row deleted" : "response-row"}
                data-testid="response-row"
                data-id={row.id}
                onClick={() => go({ name: "response", id: row.id })}
              >
                <span className="chip">{r.channelName(row.channel)}</span>
                <strong>{row.serial ?? row.id.slice(0, 8)}</strong>
                <span>{row.service ?? t.none}</span>
                <span className="muted">{row.period}</span>
                <span className="muted">{formatDateTime(row.updated_at, lang)}</span>
                {row.deleted && <span className="chip gray">{r.deleted}</span>}
                {row.conflicts > 0 && (
                  <span className="chip warn">
                    {r.conflicts}: {row.conflicts}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
