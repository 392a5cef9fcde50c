// The respondent's survey page, opened from a QR code or a link at /f/<token>. The server writes
// the link and its form into `#survey-data`; everything after that works without signal.
import { h } from "./dom";
import type { SurveyData } from "./form";
import { strings } from "./i18n";
import { mountSurvey } from "./page";
import "./survey.css";

const root = document.getElementById("survey")!;
const data = surveyData();
if (data) {
  mountSurvey(root, data, localStore());
  keepForOffline();
} else {
  root.replaceChildren(h("p", { class: "lead" }, strings.id.broken), h("p", { lang: "en" }, strings.en.broken));
}

function surveyData(): SurveyData | null {
  try {
    const data = JSON.parse(document.getElementById("survey-data")?.textContent ?? "") as SurveyData;
    return typeof data.token === "string" && Array.isArray(data.form?.items) ? data : null;
  } catch {
    return null;
  }
}

/** `localStorage`, or `null` where the browser blocks it (reading it can throw). */
function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Registers the worker that keeps the page for offline reloads. It starts after this visit
 * loaded, so the page names what it loaded for the worker to keep. Browsers without service
 * workers (or on plain HTTP, which has none) still send, as long as the page stays open. */
function keepForOffline(): void {
  if (!("serviceWorker" in navigator)) return;
  const files = document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>(
    "script[src], link[rel=stylesheet], link[rel=modulepreload]",
  );
  const urls = [location.href.split("#")[0], ...Array.from(files, (file) => ("src" in file ? file.src : file.href))];
  navigator.serviceWorker
    .register("/f/sw.js", { scope: "/f/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      // A visit the worker already answered is kept already.
      if (!navigator.serviceWorker.controller) registration.active?.postMessage({ type: "warm", urls });
    })
    .catch(() => undefined);
}
