// What the suggestions page shows of a suggestion, apart from the page itself.

import type { Suggestion } from "./types";

/**
 * The day a suggestion belongs to: the survey date written on the questionnaire when it
 * gives a real one (paper is often typed in days later), else the day it was captured.
 */
export function suggestionDate(row: Pick<Suggestion, "survey_date" | "created_at">): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(row.survey_date ?? "");
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(year, month - 1, day);
    if (date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day) {
      return date;
    }
  }
  return new Date(row.created_at);
}
