import * as backend from "../backend";
import type { Language } from "../bindings/Language";
import { useShell } from "../context";

export function LanguageSwitch() {
  const { lang, guard, setState } = useShell();
  const choose = async (language: Language) => {
    if (language === lang) return;
    const next = await guard(backend.setLanguage(language));
    if (next) setState(next);
  };
  return (
    <div className="lang-switch" role="group" aria-label="Bahasa / Language">
      <button
        type="button"
        data-testid="lang-id"
        aria-pressed={lang === "id"}
        onClick={() => choose("id")}
      >
        ID
      </button>
      <button
        type="button"
        data-testid="lang-en"
        aria-pressed={lang === "en"}
        onClick={() => choose("en")}
      >
        EN
      </button>
    </div>
  );
}
