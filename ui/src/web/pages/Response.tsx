import { useState } from "react";
import { formatDateTime } from "../../lib/format";
import { api } from "../api";
import { checkReview, conflictChoices, wroteLines } from "../decide";
import { Link } from "../Link";
import { responseLabel } from "../queue";
import { useWeb } from "../shell";
import type { ReviewState } from "../types";
import { useLoad } from "../useLoad";
import { LoadError } from "./Overview";

export function ResponsePage({ id }: { id: string }) {
  const { t, lang, me, failed } = useWeb();
  const { data: detail, error, reload } = useLoad(() => api.response(id), id);
  const { data: history, reload: reloadHistory } = useLoad(() => api.history(id), id);
  const [note, setNote] = useState("");
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const decides = me.role !== "viewer";

  // The server materialises a decision moments after writing it: read again shortly after.
  const refresh = () => {
    reload();
    reloadHistory();
    window.setTimeout(() => {
      reload();
      reloadHistory();
    }, 400);
  };

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
      setMessage({ text: t.response.saved, bad: false });
      refresh();
    } catch (e) {
      setMessage({ text: failed(e), bad: true });
    } finally {
      setBusy(false);
    }
  };

  const review = (state: ReviewState) => {
    const check = checkReview(state, note);
    if (!check.ok) {
      setMessage({ text: t.response.noteRequired, bad: true });
      return;
    }
    void run(() => api.review(id, state, check.note));
  };

  if (error) return <LoadError message={error} retry={reload} />;
  if (!detail) return <p>{t.loading}</p>;
  const when = (iso: string | null) => formatDateTime(iso, lang) ?? t.none;

  return (
    <section data-testid="page-response">
      <p>
        <Link to={{ name: "queue", code: detail.unit }}>{t.response.back}</Link>
      </p>
      <h1>{t.response.title(responseLabel(detail))}</h1>
      <dl className="web-facts">
        <dt>{t.response.unit}</dt>
        <dd>{detail.unit}</dd>
        <dt>{t.response.period}</dt>
        <dd>{detail.period}</dd>
        <dt>{t.response.channel}</dt>
        <dd>{t.channel(detail.channel)}</dd>
        <dt>{t.response.service}</dt>
        <dd>{detail.service ?? t.none}</dd>
        <dt>{t.response.created}</dt>
        <dd>{when(detail.created_at)}</dd>
        <dt>{t.response.status}</dt>
        <dd>{detail.status}</dd>
        <dt>{t.response.reviewState}</dt>
        <dd data-testid="response-review">{t.review[detail.review] ?? detail.review}</dd>
        <dt>{t.response.reviewNote}</dt>
        <dd data-testid="response-review-note">{detail.review_note ?? t.none}</dd>
      </dl>

      {detail.conflicts_detail.length > 0 && (
        <div className="web-conflicts" data-testid="response-conflicts">
          <h2>{t.response.conflicts}</h2>
          <p className="muted">{t.response.conflictHelp}</p>
          {detail.conflicts_detail.map((conflict) => (
            <div key={conflict.field} className="web-conflict" data-testid={`conflict-${conflict.field}`}>
              <strong>{conflict.field}</strong>
              <div className="web-choices">
                {conflictChoices(conflict.written).map((choice) => (
                  <button
                    key={choice.value}
                    type="button"
                    disabled={!decides || busy}
                    data-testid={`settle-${conflict.field}-${choice.value}`}
                    onClick={() => run(() => api.resolve(id, conflict.field, choice.value))}
                  >
                    <span className="web-choice-value">{t.response.choose(choice.value)}</span>
                    <span className="muted">{t.response.writtenBy(choice.by, when(choice.at))}</span>
                  </button>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}

      <h2>{t.response.decide}</h2>
      {decides ? (
        <div className="web-decide">
          <label>
            {t.response.note}
            <textarea data-testid="review-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <div className="web-actions">
            <button type="button" className="primary" disabled={busy} data-testid="review-approve" onClick={() => review("approved")}>
              {t.response.approve}
            </button>
            <button type="button" disabled={busy} data-testid="review-has-issues" onClick={() => review("has-issues")}>
              {t.response.hasIssues}
            </button>
            <button type="button" className="danger" disabled={busy} data-testid="review-reject" onClick={() => review("rejected")}>
              {t.response.reject}
            </button>
          </div>
        </div>
      ) : (
        <p className="muted">{t.response.viewerOnly}</p>
      )}
      {message && (
        <p className={message.bad ? "error" : "web-ok"} role={message.bad ? "alert" : "status"} data-testid="decision-message">
          {message.text}
        </p>
      )}

      <h2>{t.response.answers}</h2>
      <table className="web-table" data-testid="response-answers">
        <thead>
          <tr>
            <th>{t.response.item}</th>
            <th>{t.response.value}</th>
          </tr>
        </thead>
        <tbody>
          {detail.answers.map(([item, value]) => (
            <tr key={item} data-testid={`answer-${item}`}>
              <td>{item}</td>
              {/* Respondents' text (a saran) is text, never markup: React escapes it. */}
              <td className="web-answer">{value ?? t.none}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t.response.history}</h2>
      <table className="web-table" data-testid="response-history">
        <thead>
          <tr>
            <th>{t.response.historyWhen}</th>
            <th>{t.response.historyWho}</th>
            <th>{t.response.historyFrom}</th>
            <th>{t.response.historyWhat}</th>
          </tr>
        </thead>
        <tbody>
          {(history ?? []).map((entry, i) => (
            <tr key={i}>
              <td>{when(entry.at)}</td>
              <td>{entry.by ?? t.none}</td>
              <td>{entry.from === "server" ? t.response.server : entry.from}</td>
              <td className="web-answer">{wroteLines(entry.wrote).join("\n")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
