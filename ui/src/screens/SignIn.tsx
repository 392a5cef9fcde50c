import { useState, type FormEvent } from "react";
import * as backend from "../backend";
import { EnumeratorForm } from "../components/EnumeratorForm";
import { FieldError } from "../components/FieldError";
import { PinField } from "../components/TextField";
import { useAction } from "../components/useAction";
import { useShell } from "../context";

/** Who is capturing: tap your name, type your PIN. */
export function SignInScreen({ pick }: { pick?: string }) {
  const { t, state, refreshState, go } = useShell();
  const [chosen, setChosen] = useState<string | null>(pick ?? null);
  const [pin, setPin] = useState("");
  const [adding, setAdding] = useState(false);
  const { busy, problem, setProblem, run } = useAction();
  const nobody = state.enumerators.length === 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    const who = await run(() => backend.signIn(chosen, pin));
    if (who) {
      await refreshState();
      go({ name: "home" });
    } else {
      setPin("");
    }
  };

  return (
    <section className="screen narrow" data-testid="screen-signin">
      <h1>{t.signin.title}</h1>
      {nobody && <p>{t.signin.none}</p>}
      {!nobody && (
        <>
          <p>{t.signin.pick}</p>
          <div className="enumerators">
            {state.enumerators.map((e) => (
              <button
                key={e.id}
                type="button"
                className={chosen === e.id ? "enumerator chosen" : "enumerator"}
                aria-pressed={chosen === e.id}
                data-testid="signin-enumerator"
                data-id={e.id}
                onClick={() => {
                  setChosen(e.id);
                  setProblem(null);
                }}
              >
                {e.name}
              </button>
            ))}
          </div>
          <form className="stack" onSubmit={submit}>
            <PinField
              label={t.signin.pin}
              data-testid="signin-pin"
              autoComplete="current-password"
              value={pin}
              disabled={!chosen}
              onChange={setPin}
            />
            <FieldError message={problem} />
            <button
              type="submit"
              className="primary"
              data-testid="signin-submit"
              disabled={busy || !chosen || pin === ""}
            >
              {t.signin.submit}
            </button>
          </form>
        </>
      )}
      {nobody || adding ? (
        <div className="card">
          <h2>{t.signin.add}</h2>
          <EnumeratorForm
            onAdded={async (added) => {
              await refreshState();
              setAdding(false);
              setChosen(added.id);
            }}
          />
        </div>
      ) : (
        <button type="button" data-testid="signin-add" onClick={() => setAdding(true)}>
          {t.signin.add}
        </button>
      )}
    </section>
  );
}
