import { describe, expect, it } from "vitest";
import { narrativeBody, newRow, planBody, reportHref, toggleQuarter } from "./plan";
import type { NarrativePart } from "./types";

const part = (field: string, value: string | null, fallback: string): NarrativePart => ({
  field,
  value,
  default: fallback,
  changed: null,
});

describe("the follow-up plan page", () => {
  it("starts a new row on the weakest unsur", () => {
    expect(newRow({ weakest: "U8", unsur: [{ id: "U1", name: "Persyaratan" }] }).unsur).toBe("U8");
    expect(newRow({ weakest: null, unsur: [{ id: "U1", name: "Persyaratan" }] }).unsur).toBe("U1");
  });

  it("keeps quarters in order, each once", () => {
    expect(toggleQuarter(["III"], "I")).toEqual(["I", "III"]);
    expect(toggleQuarter(["I", "III"], "I")).toEqual(["III"]);
  });

  it("sends no FKP date when none is written", () => {
    expect(planBody(" ", [], []).fkp_date).toBeNull();
    expect(planBody("2026-08-20", [], []).fkp_date).toBe("2026-08-20");
  });

  it("sends only the narrative parts that changed, and null to restore a default", () => {
    const parts = [part("kesimpulan", null, "Nilai IKM 80"), part("tempat", "Sleman", ""), part("saran", "Lama", "Baku")];
    expect(narrativeBody(parts, { kesimpulan: "Nilai IKM 80", tempat: "Bantul", saran: "Baku" })).toEqual({
      tempat: "Bantul",
      saran: null,
    });
  });

  it("links the report of the chosen period, or of the active one", () => {
    expect(reportHref("U-CAPIL", "pdf", "2026-S2")).toBe("/api/v1/units/U-CAPIL/report.pdf?period=2026-S2");
    expect(reportHref("U-CAPIL", "xlsx", "")).toBe("/api/v1/units/U-CAPIL/report.xlsx");
  });
});
