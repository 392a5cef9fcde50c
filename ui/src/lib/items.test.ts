import { describe, expect, it } from "vitest";
import { accepts, isTyped, parseDay } from "./items";
import { testForm } from "./testForm";

const item = (id: string) => testForm.items.find((i) => i.id === id)!;

describe("typed items", () => {
  it("are the ones answered with the keyboard", () => {
    expect(isTyped(item("umur"))).toBe(true);
    expect(isTyped(item("tanggal"))).toBe(true);
    expect(isTyped(item("saran"))).toBe(true);
    expect(isTyped(item("jenis_kelamin"))).toBe(false);
    expect(isTyped(item("U1"))).toBe(false);
  });
});

describe("days", () => {
  it("are read as offices write them and kept year first", () => {
    for (const raw of ["30/11/2026", "30-11-2026", "30112026", "2026-11-30", " 1/2/2026 "]) {
      const expected = raw.trim() === "1/2/2026" ? "2026-02-01" : "2026-11-30";
      expect(parseDay(raw), raw).toBe(expected);
    }
  });

  it("that do not exist, or are no day, are refused", () => {
    for (const raw of ["31/02/2026", "29-02-2025", "2026-13-01", "31112026", "30.11.2026", "", "kemarin"]) {
      expect(parseDay(raw), raw).toBeNull();
    }
  });

  it("decide what a date item accepts", () => {
    const tanggal = testForm.items.find((item) => item.kind.type === "date")!;
    expect(accepts(tanggal, "30/11/2026")).toBe(true);
    expect(accepts(tanggal, "31/11/2026")).toBe(false);
    expect(accepts(tanggal, "")).toBe(true);
  });
});

describe("choices typed in the grid", () => {
  it("are accepted by code or by their label in either language, whatever the app shows", () => {
    const gender = testForm.items.find((item) => item.id === "jenis_kelamin")!;
    for (const typed of ["P", "p", "Perempuan", "female", "FEMALE"]) {
      expect(accepts(gender, typed), typed).toBe(true);
    }
    expect(accepts(gender, "Wanita")).toBe(false);
  });
});
