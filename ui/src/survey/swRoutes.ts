// Which requests the survey's service worker answers, and how. Kept apart from the worker so
// the rules are tested; the worker itself is only the Cache API around them.

/** The worker's one cache. A new name (a change of what is kept) drops the old cache. */
export const CACHE = "simpul-survey-v1";
export const CACHE_PREFIX = "simpul-survey-";

/** `page`: network first, the kept copy without signal, so the survey reloads offline.
 * `asset`: the kept copy first; names are hashed, so a kept file never goes stale. */
export type Route = "page" | "asset";

/** How the worker answers a request, or `null` to leave it to the browser: anything but a
 * same-origin GET (answer sets are POSTs and wait in the page's outbox, never here), `/api/`,
 * and the worker's own script. */
export function routeOf(method: string, url: string, origin: string): Route | null {
  if (method !== "GET") return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== origin) return null;
  // `/f/<token>` with any query (`?serial=K-001`); a token has no dot, the worker's `sw.js` does.
  if (/^\/f\/[^/.]+$/.test(parsed.pathname)) return "page";
  if (parsed.pathname.startsWith("/assets/")) return "asset";
  return null;
}

/** The addresses a page asks the worker to keep (`{type: "warm", urls}`): the page and the
 * files it loaded before the worker controlled it. Only what `routeOf` would keep anyway. */
export function warmList(message: unknown, origin: string): string[] {
  const { type, urls } = (message ?? {}) as { type?: unknown; urls?: unknown };
  if (type !== "warm" || !Array.isArray(urls)) return [];
  return urls.filter((url): url is string => typeof url === "string" && routeOf("GET", url, origin) !== null);
}
