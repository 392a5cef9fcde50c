import { describe, expect, it } from "vitest";
import { parseRoute, publicCode, routePath, type WebRoute } from "./routes";

describe("web routes", () => {
  it("reads each page's address, unit codes and ids decoded", () => {
    expect(parseRoute("/")).toEqual({ name: "overview" });
    expect(parseRoute("/unit/U-CAPIL")).toEqual({ name: "unit", code: "U-CAPIL" });
    expect(parseRoute("/unit/U%20X/review/")).toEqual({ name: "queue", code: "U X" });
    expect(parseRoute("/response/0192-ab")).toEqual({ name: "response", id: "0192-ab" });
    expect(parseRoute("/password")).toEqual({ name: "password" });
    expect(parseRoute("/unit/U-CAPIL/plan/2026-S2")).toEqual({ name: "plan", code: "U-CAPIL", period: "2026-S2" });
    expect(parseRoute("/unit/U-CAPIL/saran")).toEqual({ name: "saran", code: "U-CAPIL", period: "" });
    expect(parseRoute("/unit/U-CAPIL/saran/2026-S2")).toEqual({ name: "saran", code: "U-CAPIL", period: "2026-S2" });
    expect(parseRoute("/unit/U-CAPIL/links")).toEqual({ name: "links", code: "U-CAPIL" });
  });

  it("sends an unknown or malformed address to the not-found page", () => {
    expect(parseRoute("/unit")).toEqual({ name: "missing" });
    expect(parseRoute("/unit/U-CAPIL/laporan")).toEqual({ name: "missing" });
    expect(parseRoute("/unit/U-CAPIL/links/abc")).toEqual({ name: "missing" });
    expect(parseRoute("/apa")).toEqual({ name: "missing" });
  });

  it("writes an address that reads back as the same page", () => {
    const routes: WebRoute[] = [
      { name: "overview" },
      { name: "unit", code: "U-CAPIL" },
      { name: "queue", code: "U/ODD" },
      { name: "plan", code: "U-CAPIL", period: "2026-S2" },
      { name: "saran", code: "U-CAPIL", period: "" },
      { name: "saran", code: "U-CAPIL", period: "2026-S1" },
      { name: "links", code: "U CAPIL" },
      { name: "response", id: "abc" },
      { name: "password" },
    ];
    for (const route of routes) expect(parseRoute(routePath(route))).toEqual(route);
  });
});

describe("the public results page", () => {
  it("is /publik/UNIT and nothing else", () => {
    expect(publicCode("/publik/U-CAPIL")).toBe("U-CAPIL");
    expect(publicCode("/publik/U%20A/")).toBe("U A");
    expect(publicCode("/publik/")).toBeNull();
    expect(publicCode("/publik/U-CAPIL/extra")).toBeNull();
    expect(publicCode("/unit/U-CAPIL")).toBeNull();
  });
});
