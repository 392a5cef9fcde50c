// The web's addresses. Real paths (not #fragments), so a link can be copied into a message;
// the server answers every one of them with the page and this decides what to draw.

export type WebRoute =
  | { name: "overview" }
  | { name: "unit"; code: string }
  | { name: "queue"; code: string }
  | { name: "devices"; code: string }
  | { name: "plan"; code: string; period: string }
  /** The unit's suggestions, of one period or ("") of all. */
  | { name: "saran"; code: string; period: string }
  /** The unit's survey links, their posters, and numbered paper questionnaires. */
  | { name: "links"; code: string }
  | { name: "response"; id: string }
  | { name: "password" }
  | { name: "missing" };

export function parseRoute(pathname: string): WebRoute {
  const parts = pathname
    .split("/")
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts.length === 0) return { name: "overview" };
  const [first, second, third] = parts;
  if (first === "unit" && second && parts.length === 2) return { name: "unit", code: second };
  if (first === "unit" && second && third === "review" && parts.length === 3) return { name: "queue", code: second };
  if (first === "unit" && second && third === "perangkat" && parts.length === 3) return { name: "devices", code: second };
  if (first === "unit" && second && third === "plan" && parts[3] && parts.length === 4)
    return { name: "plan", code: second, period: parts[3] };
  if (first === "unit" && second && third === "saran" && parts.length <= 4)
    return { name: "saran", code: second, period: parts[3] ?? "" };
  if (first === "unit" && second && third === "links" && parts.length === 3) return { name: "links", code: second };
  if (first === "response" && second && parts.length === 2) return { name: "response", id: second };
  if (first === "password" && parts.length === 1) return { name: "password" };
  return { name: "missing" };
}

export function routePath(route: WebRoute): string {
  switch (route.name) {
    case "overview":
    case "missing":
      return "/";
    case "unit":
      return `/unit/${encodeURIComponent(route.code)}`;
    case "queue":
      return `/unit/${encodeURIComponent(route.code)}/review`;
    case "devices":
      return `/unit/${encodeURIComponent(route.code)}/perangkat`;
    case "plan":
      return `/unit/${encodeURIComponent(route.code)}/plan/${encodeURIComponent(route.period)}`;
    case "saran":
      return `/unit/${encodeURIComponent(route.code)}/saran${route.period ? `/${encodeURIComponent(route.period)}` : ""}`;
    case "links":
      return `/unit/${encodeURIComponent(route.code)}/links`;
    case "response":
      return `/response/${encodeURIComponent(route.id)}`;
    case "password":
      return "/password";
  }
}

/** The unit of a public results page (`/publik/UNIT`), which needs no sign-in; else null. */
export function publicCode(pathname: string): string | null {
  const match = /^\/publik\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
