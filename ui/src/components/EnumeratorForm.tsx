import { useState, type FormEvent } from "react";
import * as backend from "../backend";
import type { Enumerator } from "../bindings/Enumerator";
import { useShell } from "../context";
import { FieldError } from "./FieldError";
import { PinField, TextField } from "./TextField";
import { useAction } from "./useAction";

/** Name and PIN of a new enumerator; used at first run and from the sign-in screen. */
export function EnumeratorForm({ onAdded }: { onAdded: (e: Enumerator) => void }) {
  const { t } = useShell();
  const [name, setName] = useState("");
  const [pin, setPin] = useState("");
  const { busy, problem, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const added = await run(() => backend.addEnumerator(name.trim(), pin));
    if (added) {
      setName("");
      setPin("");
      onAdded(added);
    }
  };

  return (
    <form className="stack" onSubmit={submit}>
      <TextField
        label={t.enumerator.name}
        data-testid="enumerator-name"
        value={name}
        autoComplete="off"
        onChange={setName}
      />
      <PinField
        label={t.enumerator.pin}
        data-testid="enumerator-pin"
        autoComplete="new-password"
        value={pin}
        onChange={setPin}
      />
      <FieldError message={problem} />
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
