// The supervisors' web: who is signed in decides between the sign-in page and the pages;
// the address bar decides which page.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Language } from "../bindings/Language";
import { api, isApiError } from "./api";
import { initialLanguage, webStrings } from "./i18n";
import { Overview } from "./pages/Overview";
import { PasswordPage } from "./pages/Password";
import { DevicesPage } from "./pages/Devices";
import { LinksPage } from "./pages/Links";
import { PlanPage } from "./pages/Plan";
import { SaranPage } from "./pages/Saran";
import { Queue } from "./pages/Queue";
import { ResponsePage } from "./pages/Response";
import { SignIn } from "./pages/SignIn";
import { UnitPage } from "./pages/Unit";
import { parseRoute, routePath, type WebRoute } from "./routes";
import { type WebShell, WebShellContext } from "./shell";
import type { Me } from "./types";

const LANG_KEY = "simpul.lang";

export function WebApp() {
  const [lang, setLang] = useState<Language>(() => initialLanguage(localStorage.getItem(LANG_KEY)));
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [route, setRoute] = useState<WebRoute>(() => parseRoute(location.pathname));
  const [notice, setNotice] = useState<string | null>(null);
  const t = webStrings[lang];

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t]);

  useEffect(() => {
    api.me().then(setMe, () => setMe(null));
    const onPop = () => setRoute(parseRoute(location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const go = useCallback((next: WebRoute) => {
    history.pushState(null, "", routePath(next));
    setRoute(next);
    window.scrollTo(0, 0);
  }, []);

  const signedOut = useCallback((why?: string) => {
    setNotice(why ?? null);
    setMe(null);
  }, []);

  const shell: WebShell | null = useMemo(
    () =>
      me
        ? {
            lang,
            t,
            me,
            go,
            signedOut,
            failed: (error: unknown) => {
              if (isApiError(error)) {
                if (error.code === "unauthorized") {
                  setNotice(t.signedOut);
                  setMe(null);
                }
                if (error.code === "not_found") return t.notFound;
                return error.message;
              }
              return String(error);
            },
          }
        : null,
    [me, lang, t, go, signedOut],
  );

  const languageSwitch = (
    <div className="lang-switch" role="group" aria-label="Bahasa / Language">
      {(["id", "en"] as const).map((code) => (
        <button
          key={code}
          type="button"
          data-testid={`lang-${code}`}
          aria-pressed={lang === code}
          onClick={() => setLang(code)}
        >
          {code.toUpperCase()}
        </button>
      ))}
    </div>
  );

  if (me === undefined) return <main className="web-main">{t.loading}</main>;
  if (me === null || shell === null) {
    return (
      <div className="web">
        <header className="web-header">
          <strong>{t.title}</strong>
          {languageSwitch}
        </header>
        <SignIn
          t={t}
          notice={notice}
          onSignedIn={(who) => {
            setNotice(null);
            setMe(who);
          }}
        />
      </div>
    );
  }

  const signOut = async () => {
    try {
      await api.signOut();
    } finally {
      setMe(null);
    }
  };

  return (
    <WebShellContext.Provider value={shell}>
      <div className="web">
        <header className="web-header">
          <a
            href="/"
            className="web-brand"
            data-testid="nav-overview"
            onClick={(e) => {
              e.preventDefault();
              go({ name: "overview" });
            }}
          >
            {t.title}
          </a>
          <span className="web-who" data-testid="signed-in-as">
            {t.signedInAs(me.name, t.roles[me.role] ?? me.role)}
          </span>
          <nav className="web-nav">
            <button type="button" className="ghost" data-testid="nav-password" onClick={() => go({ name: "password" })}>
              {t.nav.password}
            </button>
            <button type="button" data-testid="sign-out" onClick={signOut}>
              {t.nav.signOut}
            </button>
            {languageSwitch}
          </nav>
        </header>
        <main className="web-main">{page(route, t.missing)}</main>
      </div>
    </WebShellContext.Provider>
  );
}

function page(route: WebRoute, missing: string) {
  switch (route.name) {
    case "overview":
      return <Overview />;
    case "unit":
      return <UnitPage key={route.code} code={route.code} />;
    case "queue":
      return <Queue key={route.code} code={route.code} />;
    case "devices":
      return <DevicesPage key={route.code} code={route.code} />;
    case "plan":
      return <PlanPage key={`${route.code}|${route.period}`} code={route.code} period={route.period} />;
    case "saran":
      return <SaranPage key={`${route.code}|${route.period}`} code={route.code} period={route.period} />;
    case "links":
      return <LinksPage key={route.code} code={route.code} />;
    case "response":
      return <ResponsePage key={route.id} id={route.id} />;
    case "password":
      return <PasswordPage />;
    case "missing":
      return <p data-testid="page-missing">{missing}</p>;
  }
}
