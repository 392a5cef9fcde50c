import { describe, expect, it } from "vitest";
import { suggestionDate } from "./saran";

const captured = new Date(2026, 10, 30, 14, 5).getTime();

describe("suggestionDate", () => {
  it("is the survey date the questionnaire gives", () => {
    const date = suggestionDate({ survey_date: "2026-11-02", created_at: captured });
    expect([date.getFullYear(), date.getMonth(), date.getDate()]).toEqual([2026, 10, 2]);
  });

  it("is the capture day without a survey date, or with one that does not exist", () => {
    for (const survey_date of [null, "", "2026-02-30", "30/11/2026"]) {
      expect(suggestionDate({ survey_date, created_at: captured }).getTime()).toBe(captured);
    }
  });
});
