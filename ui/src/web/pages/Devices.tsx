// A unit's devices and active period: set the period (devices receive it by sync), issue an
// enrolment code for a new tablet's first run, and revoke a lost one.
import { useState } from "react";
import { formatDateTime } from "../../lib/format";
import { enrolLink } from "../../lib/enrolLink";
import { api, qrHref } from "../api";
import { Link } from "../Link";
import { PARTS, type PeriodKind, periodCode } from "../periods";
import { useWeb } from "../shell";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";

export function DevicesPage({ code }: { code: string }) {
  const { t, lang, me, failed } = useWeb();
  const d = t.devices;
  const decides = me.role !== "viewer";
  const { data: devices, error, reload } = useLoad(() => api.devices(code), `devices|${code}`);
  const { data: overview, reload: reloadOverview } = useLoad(() => api.overview(), `devices-overview|${code}`);
  const line = overview?.units.find((u) => u.unit === code);
  const [kind, setKind] = useState<PeriodKind>("semester");
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [part, setPart] = useState("1");
  const [population, setPopulation] = useState("");
  const [wholeInstansi, setWholeInstansi] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [issued, setIssued] = useState<{ code: string; expires_at: string } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const when = (iso: string | null) => formatDateTime(iso, lang) ?? t.overview.never;

  const save = async () => {
    const period = periodCode(kind, Number(year), Number(part));
    if (period === null) {
      setMessage({ ok: false, text: d.badPeriod });
      return;
    }
    const people = population.trim() === "" ? undefined : Number(population);
    try {
      if (wholeInstansi && line?.instansi) {
        // The population is this unit's own; the period goes to every unit of the instansi.
        if (people !== undefined) await api.settings(code, { population: people });
        const { changed } = await api.instansiPeriod(line.instansi, period);
        setMessage({ ok: true, text: d.savedInstansi(line.instansi, changed.length) });
      } else {
        const { changed } = await api.settings(code, { period, population: people });
        setMessage({ ok: true, text: changed ? d.saved : d.unchanged });
      }
      reloadOverview();
    } catch (e) {
      setMessage({ ok: false, text: failed(e) });
    }
  };

  return (
    <section data-testid="page-devices">
      <p>
        <Link to={{ name: "unit", code }}>{d.back}</Link>
      </p>
      <h1>{d.title(code)}</h1>

      <h2>{d.periodTitle}</h2>
      <p data-testid="devices-current-period">{d.current(line?.period ?? null)}</p>
      {decides && (
        <form
          className="web-toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label>
            {d.kind}{" "}
            <select
              data-testid="period-kind"
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as PeriodKind);
                setPart("1");
              }}
            >
              {(["triwulan", "semester", "tahun"] as const).map((k) => (
                <option key={k} value={k}>
                  {d.kinds[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {d.year}{" "}
            <input data-testid="period-year" inputMode="numeric" size={5} value={year} onChange={(e) => setYear(e.target.value)} />
          </label>
          {PARTS[kind] > 1 && (
            <label>
              {d.part}{" "}
              <select data-testid="period-part" value={part} onChange={(e) => setPart(e.target.value)}>
                {Array.from({ length: PARTS[kind] }, (_, i) => String(i + 1)).map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {d.population}{" "}
            <input
              data-testid="period-population"
              inputMode="numeric"
              size={7}
              value={population}
              onChange={(e) => setPopulation(e.target.value.replace(/\D/g, ""))}
            />
          </label>
          {line?.instansi && (
            <label className="web-check">
              <input
                type="checkbox"
                data-testid="period-instansi"
                checked={wholeInstansi}
                onChange={(e) => setWholeInstansi(e.target.checked)}
              />{" "}
              {d.wholeInstansi(line.instansi)}
            </label>
          )}
          <button type="submit" data-testid="period-save">
            {d.save}
          </button>
        </form>
      )}
      {message && (
        <p role="status" className={message.ok ? "ok" : "error"} data-testid="period-message">
          {message.text}
        </p>
      )}

      {decides && (
        <>
          <h2>{d.codeTitle}</h2>
          <button
            type="button"
            data-testid="issue-code"
            onClick={async () => {
              try {
                setIssued(await api.enrolmentCode(code));
              } catch (e) {
                setMessage({ ok: false, text: failed(e) });
              }
            }}
          >
            {d.codeButton}
          </button>
          {issued && (
            <div className="web-card" data-testid="issued-code-card">
              <div className="web-big" data-testid="issued-code">
                {issued.code}
              </div>
              <p className="muted">{d.codeHelp(when(issued.expires_at))}</p>
              <img
                className="web-qr"
                data-testid="issued-code-qr"
                src={qrHref(enrolLink(window.location.origin, issued.code))}
                alt={d.qrAlt(issued.code)}
                width={240}
                height={240}
              />
              <p className="muted">{d.qrHelp}</p>
            </div>
          )}
        </>
      )}

      <h2>{d.listTitle}</h2>
      {error && <LoadError message={error} retry={reload} />}
      {devices && devices.length === 0 && <p>{d.none}</p>}
      {devices && devices.length > 0 && (
        <table className="web-table" data-testid="devices-list">
          <thead>
            <tr>
              <th>{t.overview.device}</th>
              <th>{t.overview.lastSync}</th>
              {decides && <th />}
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => (
              <tr key={device.id} className={device.silent ? "silent" : undefined} data-testid={`device-row-${device.name}`}>
                <td>{device.name}</td>
                <td>
                  {when(device.last_sync_at)}
                  {device.silent && <div className="warn">{t.overview.silentMark(7)}</div>}
                </td>
                {decides && (
                  <td>
                    {revoking === device.id ? (
                      <>
                        <span>{d.revokeSure(device.name)}</span>{" "}
                        <button
                          type="button"
                          data-testid={`revoke-yes-${device.name}`}
                          onClick={async () => {
                            try {
                              await api.revoke(device.id);
                              reload();
                            } catch (e) {
                              setMessage({ ok: false, text: failed(e) });
                            } finally {
                              setRevoking(null);
                            }
                          }}
                        >
                          {d.revokeYes}
                        </button>{" "}
                        <button type="button" className="small" onClick={() => setRevoking(null)}>
                          {d.cancel}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="small" data-testid={`revoke-${device.name}`} onClick={() => setRevoking(device.id)}>
                        {d.revoke}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
