import { useState, type FormEvent } from "react";
import * as backend from "../backend";
import { EnumeratorForm } from "../components/EnumeratorForm";
import { FieldError } from "../components/FieldError";
import { Tab, Tabs } from "../components/Tabs";
import { TextField } from "../components/TextField";
import { useAction } from "../components/useAction";
import { useShell } from "../context";
import { parseEnrolLink } from "../lib/enrolLink";

type Mode = "offline" | "server";

/** First run: how this device works, then the first enumerator. */
export function SetupScreen() {
  const { t, state, setState, refreshState, go } = useShell();
  const [mode, setMode] = useState<Mode>("offline");
  const [unit, setUnit] = useState("");
  const [unitName, setUnitName] = useState("");
  const [period, setPeriod] = useState("");
  const [population, setPopulation] = useState("");
  const [device, setDevice] = useState("");
  const [server, setServer] = useState("");
  const [code, setCode] = useState("");
  const { busy, problem, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const pop = population.trim() === "" ? null : Number(population);
    const next = await run(() =>
      mode === "offline"
        ? backend.setupOffline({
            unit: unit.trim(),
            unit_name: unitName.trim(),
            period: period.trim(),
            population: pop !== null && Number.isFinite(pop) ? pop : null,
            device: device.trim(),
          })
        : backend.setupServer({ server: server.trim(), code: code.trim(), device: device.trim() }),
    );
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
      <Tabs>
        <Tab data-testid="setup-mode-offline" selected={mode === "offline"} onSelect={() => setMode("offline")}>
          {t.setup.offline}
        </Tab>
        <Tab data-testid="setup-mode-server" selected={mode === "server"} onSelect={() => setMode("server")}>
          {t.setup.server}
        </Tab>
      </Tabs>
      <form className="stack" onSubmit={submit}>
        {mode === "offline" ? (
          <>
            <TextField
              label={t.setup.unit}
              data-testid="setup-unit"
              value={unit}
              placeholder="U-CAPIL"
              onChange={setUnit}
            />
            <TextField
              label={t.setup.unitName}
              data-testid="setup-unit-name"
              value={unitName}
              placeholder="Disdukcapil Kota"
              onChange={setUnitName}
            />
            <TextField
              label={t.setup.period}
              data-testid="setup-period"
              value={period}
              placeholder="2025-S1"
              onChange={setPeriod}
            />
            <TextField
              label={t.setup.population}
              data-testid="setup-population"
              inputMode="numeric"
              digits
              value={population}
              onChange={setPopulation}
            />
          </>
        ) : (
          <>
            <TextField
              label={t.setup.serverUrl}
              data-testid="setup-server"
              value={server}
              inputMode="url"
              placeholder="https://skm.example.go.id"
              onChange={(text) => {
                // An enrolment link from the web's QR code fills both fields at once.
                const link = parseEnrolLink(text);
                if (link) {
                  setServer(link.server);
                  setCode(link.code);
                } else {
                  setServer(text);
                }
              }}
            />
            <TextField
              label={t.setup.code}
              data-testid="setup-code"
              value={code}
              autoComplete="off"
              onChange={setCode}
            />
          </>
        )}
        <TextField
          label={t.setup.device}
          data-testid="setup-device"
          value={device}
          placeholder="Tablet loket 2"
          onChange={setDevice}
        />
        <FieldError message={problem} />
        <button type="submit" className="primary" data-testid="setup-submit" disabled={busy}>
          {t.setup.submit}
        </button>
      </form>
    </section>
  );
}
