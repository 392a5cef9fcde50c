import { type FormEvent, useState } from "react";
import { api } from "../api";
import { useWeb } from "../shell";

export function PasswordPage() {
  const { t, failed, signedOut } = useWeb();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== repeat) {
      setError(t.password.mismatch);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.changePassword(current, next);
      // Every session of the person ended, this one too.
      signedOut(t.password.done);
    } catch (e) {
      setError(failed(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="web-narrow" data-testid="page-password">
      <h1>{t.password.title}</h1>
      <form onSubmit={submit} className="web-form">
        <label>
          {t.password.current}
          <input type="password" autoComplete="current-password" data-testid="password-current" value={current}
            onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          {t.password.next}
          <input type="password" autoComplete="new-password" data-testid="password-new" value={next}
            onChange={(e) => setNext(e.target.value)} required />
        </label>
        <label>
          {t.password.repeat}
          <input type="password" autoComplete="new-password" data-testid="password-repeat" value={repeat}
            onChange={(e) => setRepeat(e.target.value)} required />
        </label>
        {error && <p className="error" role="alert" data-testid="password-error">{error}</p>}
        <button type="submit" className="primary" disabled={busy} data-testid="password-submit">
          {t.password.submit}
        </button>
      </form>
    </section>
  );
}
