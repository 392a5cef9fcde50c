import { describe, expect, it } from "vitest";
import { initialLanguage } from "./i18n";
import { overviewRows } from "./overview";
import type { IkmReport } from "./types";

const report = (n: number, ikm: number | null, grade: string | null): IkmReport => ({
  method: "permenpanrb-14-2017",
  weighting: "exact",
  weight: 1 / 9,
  n,
  ikm,
  ikm_interval: ikm === null ? null : ikm / 25,
  grade,
  grade_label: grade === "A" ? "Sangat baik" : grade === "B" ? "Baik" : null,
  unsur: [],
  weakest: null,
  strongest: null,
});

describe("the overview", () => {
  const units = [
    { code: "U-RSUD", name: "RSUD", instansi: null },
    { code: "U-CAPIL", name: "Disdukcapil", instansi: null },
    { code: "U-DPMPTSP", name: "Perizinan", instansi: null },
    { code: "U-BARU", name: "Baru", instansi: null },
  ];
  const reports = {
    "U-RSUD": report(30, 80.5, "B"),
    "U-CAPIL": report(29, 91.4814, "A"),
    "U-DPMPTSP": report(0, null, null),
    "U-BARU": null,
  };

  it("ranks units by IKM, those without data last by code", () => {
    const rows = overviewRows(units, reports, "id");
    expect(rows.map((r) => [r.code, r.rank])).toEqual([
      ["U-CAPIL", 1],
      ["U-RSUD", 2],
      ["U-BARU", null],
      ["U-DPMPTSP", null],
    ]);
  });

  it("prints the IKM as a report does, with a decimal comma in Indonesian", () => {
    const [capil] = overviewRows(units, reports, "id");
    expect(capil).toMatchObject({ n: 29, ikm: "91,48", grade: "A", gradeLabel: "Sangat baik" });
    expect(overviewRows(units, reports, "en")[0].ikm).toBe("91.48");
    expect(overviewRows(units, reports, "id")[3]).toMatchObject({ n: 0, ikm: "—", grade: null });
  });

  it("starts in Bahasa Indonesia unless English was chosen on this browser", () => {
    expect(initialLanguage(null)).toBe("id");
    expect(initialLanguage("fr")).toBe("id");
    expect(initialLanguage("en")).toBe("en");
  });
});
