import { useState, type FormEvent } from "react";
import * as backend from "../backend";
import { EnumeratorForm } from "../components/EnumeratorForm";
import { useShell } from "../context";

type Mode = "offline" | "server";

/** First run: how this device works, then the first enumerator. */
export function SetupScreen() {
  const { t, guard, state, setState, refreshState, go } = useShell();
  const [mode, setMode] = useState<Mode>("offline");
  const [unit, setUnit] = useState("");
  const [unitName, setUnitName] = useState("");
  const [period, setPeriod] = useState("");
  const [population, setPopulation] = useState("");
  const [device, setDevice] = useState("");
  const [server, setServer] = useState("");
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const pop = population.trim() === "" ? null : Number(population);
    const next = await guard(
      mode === "offline"
        ? backend.setupOffline({
            unit: unit.trim(),
            unit_name: unitName.trim(),
            period: period.trim(),
            population: pop !== null && Number.isFinite(pop) ? pop : null,
            device: device.trim(),
          })
        : backend.setupServer({ server: server.trim(), code: code.trim(), device: device.trim() }),
      setProblem,
    );
    setBusy(false);
    if (next) setState(next);
  };

  // Set up but nobody can sign in yet: the second half of the first run.
  if (state.set_up) {
    return (
      <section className="screen narrow" data-testid="screen-setup">
        <h1>{t.setup.firstEnumerator}</h1>
        <p>{t.setup.firstEnumeratorIntro}</p>
        <EnumeratorForm
          onAdded={async (added) => {
            await refreshState();
            go({ name: "signin", pick: added.id });
          }}
        />
      </section>
    );
  }

  return (
    <section className="screen narrow" data-testid="screen-setup">
      <h1>{t.setup.title}</h1>
      <p>{t.setup.intro}</p>
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          data-testid="setup-mode-offline"
          aria-selected={mode === "offline"}
          onClick={() => setMode("offline")}
        >
          {t.setup.offline}
        </button>
        <button
          type="button"
          role="tab"
          data-testid="setup-mode-server"
          aria-selected={mode === "server"}
          onClick={() => setMode("server")}
        >
          {t.setup.server}
        </button>
      </div>
      <form className="stack" onSubmit={submit}>
        {mode === "offline" ? (
          <>
            <label>
              {t.setup.unit}
              <input
                data-testid="setup-unit"
                value={unit}
                placeholder="U-CAPIL"
                onChange={(e) => setUnit(e.target.value)}
              />
            </label>
            <label>
              {t.setup.unitName}
              <input
                data-testid="setup-unit-name"
                value={unitName}
                placeholder="Disdukcapil Kota"
                onChange={(e) => setUnitName(e.target.value)}
              />
            </label>
            <label>
              {t.setup.period}
              <input
                data-testid="setup-period"
                value={period}
                placeholder="2025-S1"
                onChange={(e) => setPeriod(e.target.value)}
              />
            </label>
            <label>
              {t.setup.population}
              <input
                data-testid="setup-population"
                inputMode="numeric"
                value={population}
                onChange={(e) => setPopulation(e.target.value.replace(/\D/g, ""))}
              />
            </label>
          </>
        ) : (
          <>
            <label>
              {t.setup.serverUrl}
              <input
                data-testid="setup-server"
                value={server}
                inputMode="url"
                placeholder="https://skm.example.go.id"
                onChange={(e) => setServer(e.target.value)}
              />
            </label>
            <label>
              {t.setup.code}
              <input
                data-testid="setup-code"
                value={code}
                autoComplete="off"
                onChange={(e) => setCode(e.target.value)}
              />
            </label>
          </>
        )}
        <label>
          {t.setup.device}
          <input
            data-testid="setup-device"
            value={device}
            placeholder="Tablet loket 2"
            onChange={(e) => setDevice(e.target.value)}
          />
        </label>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" data-testid="setup-submit" disabled={busy}>
          {t.setup.submit}
        </button>
      </form>
    </section>
  );
}
