import { useEffect, useState } from "react";
import * as backend from "../backend";
import type { ItemView } from "../bindings/ItemView";
import type { ResponseDetail } from "../bindings/ResponseDetail";
import { ConflictChoices } from "../components/ConflictChoices";
import { FieldError } from "../components/FieldError";
import { useAction } from "../components/useAction";
import { useShell } from "../context";
import { formatDateTime } from "../lib/format";
import { optionsOf } from "../lib/items";
import { answerMessage } from "../lib/validation";

/** One response: its answers, editing, delete with undo, and its conflicts to settle. */
export function ResponseScreen({ id }: { id: string }) {
  const { t, lang, guard, go, form } = useShell();
  const [detail, setDetail] = useState<ResponseDetail | null>(null);
  const [editing, setEditing] = useState<Record<string, string> | null>(null);
  const { busy, problem, setProblem, run } = useAction();

  useEffect(() => {
    let live = true;
    guard(backend.openResponse(id)).then((d) => live && d && setDetail(d));
    return () => {
      live = false;
    };
  }, [id, guard]);

  const act = async (work: () => Promise<ResponseDetail>) => {
    const next = await run(work);
    if (next) setDetail(next);
    return next;
  };

  if (!detail) {
    return (
      <section className="screen" data-testid="screen-response">
        {t.loading}
      </section>
    );
  }

  const r = t.response;
  const row = detail.row;
  const itemOf = (itemId: string): ItemView | undefined => form?.items.find((i) => i.id === itemId);

  const saveEdit = async () => {
    if (!editing) return;
    // Only what changed is written, so an edit never creates a conflict on untouched items.
    const changed: Record<string, string> = {};
    for (const a of detail.answers) {
      const value = editing[a.item] ?? "";
      if (value !== (a.value ?? "")) changed[a.item] = value;
    }
    for (const [itemId, value] of Object.entries(changed)) {
      const item = itemOf(itemId);
      const message = item ? answerMessage(item, value, lang) : null;
      if (message) {
        setProblem(message);
        return;
      }
    }
    if (Object.keys(changed).length === 0) {
      setEditing(null);
      return;
    }
    const next = await act(() => backend.editResponse(row.id, changed));
    if (next) setEditing(null);
  };

  return (
    <section className="screen" data-testid="screen-response">
      <button type="button" className="ghost" onClick={() => go({ name: "responses" })}>
        ‹ {r.back}
      </button>
      <h1>
        {r.title} {row.serial ?? ""}
      </h1>
      <dl className="facts compact">
        <div>
          <dt>ID</dt>
          <dd data-testid="response-id">{row.id}</dd>
        </div>
        <div>
          <dt>{t.responses.channel}</dt>
          <dd>{t.responses.channelName(row.channel)}</dd>
        </div>
        <div>
          <dt>{t.responses.period}</dt>
          <dd>{row.period}</dd>
        </div>
        <div>
          <dt>{t.responses.updated}</dt>
          <dd>{formatDateTime(row.updated_at, lang)}</dd>
        </div>
      </dl>
      {detail.unsynced && <p className="chip warn">{r.unsynced}</p>}
      {row.deleted && <p className="notice">{r.deletedNote}</p>}

      <FieldError message={problem} />

      <div className="actions">
        {editing ? (
          <>
            <button type="button" onClick={() => setEditing(null)}>
              {t.cancel}
            </button>
            <button type="button" className="primary" data-testid="edit-save" disabled={busy} onClick={saveEdit}>
              {r.editSave}
            </button>
          </>
        ) : (
          !row.deleted && (
            <>
              <button
                type="button"
                data-testid="edit"
                onClick={() =>
                  setEditing(Object.fromEntries(detail.answers.map((a) => [a.item, a.value ?? ""])))
                }
              >
                {r.edit}
              </button>
              <button
                type="button"
                className="danger"
                data-testid="delete"
                disabled={busy}
                onClick={() => void act(() => backend.deleteResponse(row.id))}
              >
                {r.delete}
              </button>
            </>
          )
        )}
        {row.deleted && detail.unsynced && (
          <button
            type="button"
            className="primary"
            data-testid="undo-delete"
            disabled={busy}
            onClick={() => void act(() => backend.restoreResponse(row.id))}
          >
            {r.undo}
          </button>
        )}
      </div>

      {detail.conflicts.length > 0 && (
        <div className="card">
          <h2>{r.conflicts}</h2>
          {detail.conflicts.map((c) => (
            <ConflictChoices
              key={c.field}
              conflict={c}
              testId={`conflict-${c.field}`}
              busy={busy}
              onChoose={(value) => void act(() => backend.resolveConflict(row.id, c.field, value))}
            />
          ))}
        </div>
      )}

      <table className="answers-table">
        <tbody>
          {detail.answers.map((a) => {
            const item = itemOf(a.item);
            return (
              <tr key={a.item} data-testid="answer-row" data-item={a.item}>
                <th scope="row">
                  <span className="muted">{a.item}</span> {a.label}
                </th>
                <td>
                  {editing && item ? (
                    <EditControl
                      item={item}
                      value={editing[a.item] ?? ""}
                      onChange={(v) => setEditing({ ...editing, [a.item]: v })}
                    />
                  ) : (
                    (a.display ?? a.value ?? t.none)
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

    </section>
  );
}

/** Editing uses compact controls: a supervisor corrects one cell, not a whole interview. */
function EditControl({ item, value, onChange }: { item: ItemView; value: string; onChange: (v: string) => void }) {
  const options = optionsOf(item);
  if (options.length > 0) {
    return (
      <select data-testid={`input-${item.id}`} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {options.map((o) => (
          <option key={o.code} value={o.code}>
            {o.code} · {o.label}
          </option>
        ))}
      </select>
    );
  }
  return <input data-testid={`input-${item.id}`} value={value} onChange={(e) => onChange(e.target.value)} />;
}
