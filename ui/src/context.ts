// What every screen needs from the shell: the language, the device's state, the active form,
// navigation, and one way to run a command so errors are handled the same everywhere.
import { createContext, useContext } from "react";
import type { AppState } from "./bindings/AppState";
import type { FormView } from "./bindings/FormView";
import type { Language } from "./bindings/Language";
import type { SyncState } from "./bindings/SyncState";
import type { Strings } from "./i18n";

export type Route =
  | { name: "setup" }
  | { name: "signin"; pick?: string }
  | { name: "home" }
  | { name: "interview" }
  | { name: "kiosk" }
  | { name: "paper" }
  | { name: "responses" }
  | { name: "response"; id: string }
  | { name: "report" }
  | { name: "sync" };

/**
 * Runs a command. On failure: `not_set_up` and `not_signed_in` move to their screens,
 * `invalid` and `wrong_pin` go to `field` when the caller shows them beside an input, and
 * everything else goes to the error banner. Resolves to `undefined` on failure.
 */
export type Guard = <T>(work: Promise<T>, field?: (message: string) => void) => Promise<T | undefined>;

export interface Shell {
  lang: Language;
  t: Strings;
  state: AppState;
  setState: (state: AppState) => void;
  /** Re-reads the device's state (who may sign in, kiosk PIN, enrolment). */
  refreshState: () => Promise<void>;
  form: FormView | null;
  sync: SyncState | null;
  go: (route: Route) => void;
  guard: Guard;
}

export const ShellContext = createContext<Shell | null>(null);

export function useShell(): Shell {
  const shell = useContext(ShellContext);
  if (!shell) throw new Error("useShell outside the app shell");
  return shell;
}
