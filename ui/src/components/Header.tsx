import type { Route } from "../context";
import { useShell } from "../context";
import { LanguageSwitch } from "./LanguageSwitch";
import { SyncIndicator } from "./SyncIndicator";

const NAV = ["home", "interview", "kiosk", "paper", "responses", "report", "sync"] as const;

export function Header({ route }: { route: Route }) {
  const { t, go, state } = useShell();
  // Before sign-in there is nowhere to go yet.
  const showNav = route.name !== "setup" && route.name !== "signin";
  const current = route.name === "response" ? "responses" : route.name;
  return (
    <header className="header">
      <div className="header-top">
        <strong className="brand">{t.appName}</strong>
        {state.set_up && <SyncIndicator onOpen={showNav ? () => go({ name: "sync" }) : undefined} />}
        <LanguageSwitch />
      </div>
      {showNav && (
        <nav className="nav">
          {NAV.map((name) => (
            <button
              key={name}
              type="button"
              data-testid={`nav-${name}`}
              aria-current={current === name ? "page" : undefined}
              onClick={() => go({ name })}
            >
              {t.nav[name]}
            </button>
          ))}
        </nav>
      )}
    </header>
  );
}
