// A unit's results for the public (`/publik/UNIT`), with no sign-in: the IKM, mutu, n
// against the sample and every unsur's NRR. `?layar=penuh` draws it in large type for a
// screen at the counter and reloads the figures every minute.
import { useEffect, useState } from "react";
import type { Language } from "../../bindings/Language";
import { Bar } from "../../components/Bar";
import { formatScore, gradeColour, unsurBars } from "../../lib/reportModel";
import { initialLanguage, webStrings } from "../i18n";
import { gradeLabel } from "../overview";
import type { IkmReport } from "../types";

interface PublicResults {
  unit: string;
  name: string;
  period: string | null;
  target: number | null;
  target_met: boolean | null;
  report: IkmReport;
  method: { id: string; en: string };
}

/** How often a counter screen reloads the figures. */
const REFRESH_MS = 60_000;

async function load(code: string, period: string | null): Promise<PublicResults | null> {
  const query = period ? `?period=${encodeURIComponent(period)}` : "";
  const response = await fetch(`/api/v1/public/${encodeURIComponent(code)}${query}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(response.statusText);
  return (await response.json()) as PublicResults;
}

export function PublicPage({ code, search }: { code: string; search: string }) {
  const params = new URLSearchParams(search);
  const fullScreen = params.get("layar") === "penuh";
  const period = params.get("period");
  const [lang, setLang] = useState<Language>(() => initialLanguage(params.get("lang")));
  const [results, setResults] = useState<PublicResults | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const t = webStrings[lang].publik;

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    let live = true;
    const fetchNow = () =>
      load(code, period).then(
        (value) => {
          if (!live) return;
          setResults(value);
          setFailed(false);
        },
        () => live && setFailed(true),
      );
    fetchNow();
    const timer = fullScreen ? window.setInterval(fetchNow, REFRESH_MS) : undefined;
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [code, period, fullScreen]);

  useEffect(() => {
    if (results) document.title = `${t.title} — ${results.name}`;
  }, [results, t]);

  const report = results?.report;
  const bars = report ? unsurBars(report) : [];
  return (
    <main className={fullScreen ? "publik publik-screen" : "publik"} data-testid="page-public">
      <div className="lang-switch" role="group" aria-label="Bahasa / Language">
        {(["id", "en"] as const).map((code) => (
          <button key={code} type="button" aria-pressed={lang === code} onClick={() => setLang(code)}>
            {code.toUpperCase()}
          </button>
        ))}
      </div>
      {results === undefined && !failed && <p>{t.loading}</p>}
      {failed && <p role="alert">{t.unreachable}</p>}
      {results === null && <p data-testid="public-missing">{t.missing}</p>}
      {results && report && (
        <>
          <p className="muted">{t.title}</p>
          <h1 data-testid="public-unit">{results.name}</h1>
          <p>
            {t.period}: <strong>{results.period ?? t.allPeriods}</strong>
          </p>
          <div className="publik-figures">
            <div className="web-card">
              <div className="muted">{t.ikm}</div>
              <div className="web-big" data-testid="public-ikm">
                {formatScore(report.ikm, lang)}
              </div>
            </div>
            <div className="web-card">
              <div className="muted">{t.mutu}</div>
              <div className="web-big">
                {report.grade ? (
                  <span className="grade-badge" style={{ background: gradeColour(report.grade) }}>
                    {report.grade}
                  </span>
                ) : (
                  "—"
                )}
              </div>
              <div className="muted">{gradeLabel(report.grade, lang) ?? ""}</div>
            </div>
            <div className="web-card">
              <div className="muted">{t.respondents}</div>
              <div className="web-big" data-testid="public-n">
                {report.n}
              </div>
              {results.target !== null && (
                <div className="muted" data-testid="public-target">
                  {t.target(results.target)} — {results.target_met ? "Sesuai" : "Belum sesuai"}
                </div>
              )}
            </div>
          </div>
          <h2>{t.unsur}</h2>
          <table className="web-table web-bars">
            <tbody>
              {bars.map((bar) => (
                <tr key={bar.id} data-testid={`public-unsur-${bar.id}`}>
                  <td>
                    <strong>{bar.id}</strong> {bar.name}
                  </td>
                  <td className="web-bar-cell">
                    <Bar width={bar.width} colour={bar.colour} label={formatScore(bar.nrr, lang)} />
                  </td>
                  <td className="num">{formatScore(bar.nrr, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted" data-testid="public-method">
            {lang === "id" ? results.method.id : results.method.en}
          </p>
        </>
      )}
    </main>
  );
}
