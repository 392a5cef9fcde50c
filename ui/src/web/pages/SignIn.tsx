import { type FormEvent, useState } from "react";
import { api, isApiError } from "../api";
import type { WebStrings } from "../i18n";
import { signInProblem } from "../signInError";
import type { Me } from "../types";

export function SignIn({ t, notice, onSignedIn }: { t: WebStrings; notice: string | null; onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(username.trim(), password));
    } catch (e) {
      const problem = isApiError(e) ? signInProblem(e) : { kind: "other" as const, message: String(e) };
      setError(
        problem.kind === "wrong"
          ? t.signIn.wrong
          : problem.kind === "throttled"
            ? t.signIn.throttled(problem.minutes)
            : problem.kind === "unreachable"
              ? t.signIn.unreachable
              : problem.message,
      );
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="web-main web-narrow" data-testid="page-sign-in">
      <h1>{t.signIn.title}</h1>
      <p className="muted">{t.signIn.intro}</p>
      {notice && <p className="web-notice">{notice}</p>}
      <form onSubmit={submit} className="web-form">
        <label>
          {t.signIn.username}
          <input
            data-testid="sign-in-username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          {t.signIn.password}
          <input
            data-testid="sign-in-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" data-testid="sign-in-submit" disabled={busy}>
          {t.signIn.submit}
        </button>
      </form>
    </main>
  );
}
