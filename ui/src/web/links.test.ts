import { describe, expect, it } from "vitest";
import { checkPaper, linkAddress, newLinkBody, paperFormsHref, periodChoices, posterHref, serialRange } from "./links";

const origin = "http://192.168.1.10:8080";
const typed = { period: "2026-S2", from: "1", count: "50", prefix: "K" };

describe("a survey link", () => {
  it("is opened under the address the browser reached the server by", () => {
    expect(linkAddress(origin, "abc23xyz9kmn")).toBe("http://192.168.1.10:8080/f/abc23xyz9kmn");
    expect(linkAddress("https://skm.example.go.id", "abc23xyz9kmn")).toBe("https://skm.example.go.id/f/abc23xyz9kmn");
  });

  it("has a poster whose QR code points under that address", () => {
    expect(posterHref("abc23xyz9kmn", origin)).toBe(
      "/api/v1/links/abc23xyz9kmn/poster.pdf?base=http%3A%2F%2F192.168.1.10%3A8080",
    );
  });

  it("is made without the fields left blank", () => {
    expect(newLinkBody("", " ")).toEqual({});
    expect(newLinkBody(" Akta kelahiran ", "2026-S2 ")).toEqual({ service: "Akta kelahiran", period: "2026-S2" });
    expect(newLinkBody("KTP", "")).toEqual({ service: "KTP" });
  });

  it("offers the active period and those with responses, each once, newest first", () => {
    expect(periodChoices("2026-S2", ["2025-S2", "2026-S1", "2026-S2"])).toEqual(["2026-S2", "2026-S1", "2025-S2"]);
    expect(periodChoices(null, [])).toEqual([]);
  });
});

describe("numbered paper questionnaires", () => {
  it("download the sheets asked for, under the browser's address", () => {
    const check = checkPaper({ period: " 2026-S2 ", from: "51", count: "25", prefix: " KA " });
    expect(check).toEqual({ ok: true, sheets: { period: "2026-S2", from: 51, count: 25, prefix: "KA" } });
    if (!check.ok) return;
    expect(paperFormsHref("U-CAPIL", check.sheets, origin)).toBe(
      "/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026-S2&from=51&count=25&prefix=KA&base=http%3A%2F%2F192.168.1.10%3A8080",
    );
    expect(paperFormsHref("U X", { ...check.sheets, prefix: "K&1" }, origin)).toContain("/units/U%20X/");
    expect(paperFormsHref("U X", { ...check.sheets, prefix: "K&1" }, origin)).toContain("prefix=K%261&");
  });

  it("print 1 to 1000 sheets, numbered from 1 on", () => {
    expect(checkPaper({ ...typed, count: "1000" }).ok).toBe(true);
    for (const count of ["0", "1001", "", "5.5", "-3", "lima"]) {
      expect(checkPaper({ ...typed, count })).toEqual({ ok: false, problem: "count" });
    }
    for (const from of ["0", "", "1e3", "99999999999999999999"]) {
      expect(checkPaper({ ...typed, from })).toEqual({ ok: false, problem: "from" });
    }
  });

  it("need a period code and a one-word prefix", () => {
    for (const period of ["", "2026/S2", "2026 S2"]) {
      expect(checkPaper({ ...typed, period })).toEqual({ ok: false, problem: "period" });
    }
    for (const prefix of ["", "  ", "K A", "K".repeat(21)]) {
      expect(checkPaper({ ...typed, prefix })).toEqual({ ok: false, problem: "prefix" });
    }
  });

  it("are numbered as the server prints them", () => {
    expect(serialRange({ from: 1, count: 50, prefix: "K" })).toEqual(["K-001", "K-050"]);
    expect(serialRange({ from: 990, count: 20, prefix: " ka " })).toEqual(["KA-990", "KA-1009"]);
  });
});
