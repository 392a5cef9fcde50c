import { useCallback, useEffect, useMemo, useState } from "react";
import * as backend from "./backend";
import type { AppState } from "./bindings/AppState";
import type { FormView } from "./bindings/FormView";
import type { SyncState } from "./bindings/SyncState";
import { ErrorBanner } from "./components/ErrorBanner";
import { Header } from "./components/Header";
import { ShellContext, type Guard, type Route, type Shell } from "./context";
import { strings } from "./i18n";
import { toAppError } from "./lib/errors";
import { HomeScreen } from "./screens/Home";
import { InterviewScreen } from "./screens/Interview";
import { KioskScreen } from "./screens/Kiosk";
import { PaperScreen } from "./screens/Paper";
import { ReportScreen } from "./screens/Report";
import { ResponseScreen } from "./screens/Response";
import { ResponsesScreen } from "./screens/Responses";
import { SetupScreen } from "./screens/Setup";
import { SignInScreen } from "./screens/SignIn";
import { SyncScreen } from "./screens/Sync";

/** Where a device in this state starts. */
function startRoute(state: AppState): Route {
  if (!state.set_up) return { name: "setup" };
  if (!state.signed_in) return { name: "signin" };
  return { name: "home" };
}

export function App() {
  const [state, setState] = useState<AppState | null>(null);
  const [route, setRoute] = useState<Route>({ name: "home" });
  const [form, setForm] = useState<FormView | null>(null);
  const [sync, setSync] = useState<SyncState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);

  const go = useCallback((next: Route) => {
    setError(null);
    setRoute(next);
  }, []);

  const refreshState = useCallback(async () => {
    try {
      const s = await backend.appState();
      setState(s);
    } catch (e) {
      setError(toAppError(e).message);
    }
  }, []);

  const guard: Guard = useCallback(
    async <T,>(work: Promise<T>, field?: (message: string) => void) => {
      try {
        return await work;
      } catch (e) {
        const err = toAppError(e);
        switch (err.code) {
          case "not_set_up":
            await refreshState();
            setRoute({ name: "setup" });
            setError(err.message);
            break;
          case "not_signed_in":
            await refreshState();
            setRoute({ name: "signin" });
            setError(err.message);
            break;
          case "invalid":
          case "wrong_pin":
          // A cancel was asked for: said beside the work, not as a failure.
          case "cancelled":
            if (field) field(err.message);
            else setError(err.message);
            break;
          default:
            setError(err.message);
        }
        return undefined;
      }
    },
    [refreshState],
  ) as Guard;

  // First screen: ask Rust what this device is.
  useEffect(() => {
    backend
      .appState()
      .then((s) => {
        setState(s);
        setRoute(startRoute(s));
      })
      .catch((e) => setFatal(toAppError(e).message));
  }, []);

  // The header light follows the background sync for the whole session.
  useEffect(() => {
    if (!state?.set_up) return;
    let stop: (() => void) | null = null;
    let cancelled = false;
    backend
      .onSync(setSync)
      .then((unlisten) => (cancelled ? unlisten() : (stop = unlisten)))
      .catch(() => undefined);
    // The current state too: the next event may be minutes away.
    backend
      .syncState()
      .then(setSync)
      .catch(() => undefined);
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [state?.set_up]);

  // Labels come from Rust in the current language, so the form is re-read after a switch.
  const signedIn = state?.signed_in?.id ?? null;
  const language = state?.language;
  useEffect(() => {
    if (!state?.set_up || !signedIn) return;
    let live = true;
    guard(backend.form()).then((f) => live && f && setForm(f));
    return () => {
      live = false;
    };
  }, [state?.set_up, signedIn, language, guard]);

  const shell: Shell | null = useMemo(() => {
    if (!state) return null;
    return {
      lang: state.language,
      t: strings[state.language],
      state,
      setState,
      refreshState,
      form,
      sync,
      go,
      guard,
    };
  }, [state, form, sync, go, guard, refreshState]);

  if (fatal) {
    return (
      <main className="boot">
        <p data-testid="error-banner" role="alert" className="error-banner">
          {fatal}
        </p>
      </main>
    );
  }
  if (!shell) return <main className="boot">{strings.id.loading}</main>;

  const kiosk = route.name === "kiosk";
  return (
    <ShellContext.Provider value={shell}>
      <div className={kiosk ? "app app-kiosk" : "app"}>
        {!kiosk && <Header route={route} />}
        {error && <ErrorBanner message={error} onClose={() => setError(null)} />}
        <main className="content">{screen(route)}</main>
      </div>
    </ShellContext.Provider>
  );
}

function screen(route: Route) {
  switch (route.name) {
    case "setup":
      return <SetupScreen />;
    case "signin":
      return <SignInScreen pick={route.pick} />;
    case "home":
      return <HomeScreen />;
    case "interview":
      return <InterviewScreen />;
    case "kiosk":
      return <KioskScreen />;
    case "paper":
      return <PaperScreen />;
    case "responses":
      return <ResponsesScreen />;
    case "response":
      return <ResponseScreen key={route.id} id={route.id} />;
    case "report":
      return <ReportScreen />;
    case "sync":
      return <SyncScreen />;
  }
}
