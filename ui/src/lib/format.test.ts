import { describe, expect, it } from "vitest";
import { bundleFileName, digitsOnly, joinPath, localDay, shownValue } from "./format";

describe("file names", () => {
  it("name a bundle after the unit and the day", () => {
    expect(bundleFileName("U-CAPIL", new Date(2025, 2, 3, 10))).toBe(
      "simpul-U-CAPIL-2025-03-03.simpul",
    );
  });

  it("replace characters a file system may refuse", () => {
    expect(bundleFileName("Dinas/Kota A", new Date(2025, 0, 9))).toBe(
      "simpul-Dinas_Kota_A-2025-01-09.simpul",
    );
  });

  it("join with the folder's own separator", () => {
    expect(joinPath("/home/ani/Documents", "a.simpul")).toBe("/home/ani/Documents/a.simpul");
    expect(joinPath("/home/ani/Documents/", "a.simpul")).toBe("/home/ani/Documents/a.simpul");
    expect(joinPath("C:\\Users\\ani\\Documents", "a.simpul")).toBe(
      "C:\\Users\\ani\\Documents\\a.simpul",
    );
  });

  it("uses the local day", () => {
    expect(localDay(new Date(2024, 1, 29, 23, 59))).toBe("2024-02-29");
  });
});

describe("shownValue", () => {
  it("puts the typed value before its meaning so a clerk can check the sheet", () => {
    expect(shownValue("1", "Tidak mudah")).toBe("1 · Tidak mudah");
  });
  it("shows a value once when it is its own label", () => {
    expect(shownValue("KTP-el", "KTP-el")).toBe("KTP-el");
    expect(shownValue("34", null)).toBe("34");
  });
  it("has nothing to show for an unanswered cell", () => {
    expect(shownValue(null, null)).toBeNull();
  });
});

describe("numeric fields", () => {
  it("keep only the digits of what was typed", () => {
    expect(digitsOnly("12a3 4")).toBe("1234");
    expect(digitsOnly("-1.5")).toBe("15");
    expect(digitsOnly("abc")).toBe("");
  });
});
