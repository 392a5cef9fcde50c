import { useState, type FormEvent } from "react";
import * as backend from "../backend";
import type { Enumerator } from "../bindings/Enumerator";
import { useShell } from "../context";

/** Name and PIN of a new enumerator; used at first run and from the sign-in screen. */
export function EnumeratorForm({ onAdded }: { onAdded: (e: Enumerator) => void }) {
  const { t, guard } = useShell();
  const [name, setName] = useState("");
  const [pin, setPin] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const added = await guard(backend.addEnumerator(name.trim(), pin), setProblem);
    setBusy(false);
    if (added) {
      setName("");
      setPin("");
      onAdded(added);
    }
  };

  return (
    <form className="stack" onSubmit={submit}>
      <label>
        {t.enumerator.name}
        <input
          data-testid="enumerator-name"
          value={name}
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label>
        {t.enumerator.pin}
        <input
          data-testid="enumerator-pin"
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          value={pin}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))}
        />
      </label>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <button
        type="submit"
        className="primary"
        data-testid="enumerator-submit"
        disabled={busy || name.trim() === "" || pin === ""}
      >
        {t.enumerator.submit}
      </button>
    </form>
  );
}
