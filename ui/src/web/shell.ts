// What every page of the web needs: the language and its words, who is signed in, and
// navigation without reloading.
import { createContext, useContext } from "react";
import type { Language } from "../bindings/Language";
import type { WebStrings } from "./i18n";
import type { WebRoute } from "./routes";
import type { Me } from "./types";

export interface WebShell {
  lang: Language;
  t: WebStrings;
  me: Me;
  go: (route: WebRoute) => void;
  /** Called with any failed call: an ended session goes back to sign-in. */
  failed: (error: unknown) => string;
  /** Back to the sign-in page, with a word on why. */
  signedOut: (notice?: string) => void;
}

export const WebShellContext = createContext<WebShell | null>(null);

export function useWeb(): WebShell {
  const shell = useContext(WebShellContext);
  if (!shell) throw new Error("useWeb outside the web shell");
  return shell;
}
