import { describe, expect, it } from "vitest";
import { periodCode } from "./periods";

describe("period codes", () => {
  it("writes a year, a semester or a triwulan", () => {
    expect(periodCode("tahun", 2026, 1)).toBe("2026");
    expect(periodCode("semester", 2026, 2)).toBe("2026-S2");
    expect(periodCode("triwulan", 2027, 4)).toBe("2027-TW4");
  });

  it("refuses a part the year does not have and a year out of range", () => {
    expect(periodCode("triwulan", 2026, 5)).toBeNull();
    expect(periodCode("semester", 2026, 0)).toBeNull();
    expect(periodCode("tahun", 1999, 1)).toBeNull();
    expect(periodCode("tahun", Number.NaN, 1)).toBeNull();
  });
});
