import { describe, expect, it } from "vitest";
import { routeOf, warmList } from "./swRoutes";

const origin = "https://skm.example.go.id";
const at = (path: string) => `${origin}${path}`;

describe("what the survey's service worker answers", () => {
  it("keeps the survey page, with or without a sheet's serial", () => {
    expect(routeOf("GET", at("/f/q7xkabcdefgh"), origin)).toBe("page");
    expect(routeOf("GET", at("/f/q7xkabcdefgh?serial=K-001"), origin)).toBe("page");
  });

  it("keeps the hashed files", () => {
    expect(routeOf("GET", at("/assets/survey-D9cXNKnx.js"), origin)).toBe("asset");
  });

  it("never touches answer sets, the API, its own script or another site", () => {
    expect(routeOf("POST", at("/f/q7xkabcdefgh/responses"), origin)).toBeNull();
    expect(routeOf("GET", at("/f/q7xkabcdefgh/responses"), origin)).toBeNull();
    expect(routeOf("POST", at("/f/q7xkabcdefgh"), origin)).toBeNull();
    expect(routeOf("GET", at("/api/units"), origin)).toBeNull();
    expect(routeOf("GET", at("/f/sw.js"), origin)).toBeNull();
    expect(routeOf("GET", at("/"), origin)).toBeNull();
    expect(routeOf("GET", "https://elsewhere.example/assets/x.js", origin)).toBeNull();
    expect(routeOf("GET", "not a url", origin)).toBeNull();
  });

  it("keeps on a page's request only what it would keep anyway", () => {
    const urls = [at("/f/q7xkabcdefgh?serial=K-001"), at("/assets/survey-1.css"), at("/api/me"), "data:,", 3];
    expect(warmList({ type: "warm", urls }, origin)).toEqual(urls.slice(0, 2));
    expect(warmList({ type: "other", urls }, origin)).toEqual([]);
    expect(warmList(null, origin)).toEqual([]);
  });
});
