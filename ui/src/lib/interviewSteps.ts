// The interview as a list of screens: the profile, then one screen per unsur, then the
// suggestion, then a review page. The step index is what a draft stores, so reopening a
// half-finished interview lands on the same screen.
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";
import { detailOwners, isRelevant, isScored } from "./items";

export type Step =
  | { kind: "profile"; items: ItemView[] }
  | { kind: "unsur"; items: [ItemView] }
  | { kind: "closing"; items: ItemView[] }
  | { kind: "review"; items: [] };

export interface StepOptions {
  /** Kiosk: every question on its own screen, for large type and one decision at a time. */
  onePerScreen: boolean;
  /** Kiosk: dates are filled in by the device, never asked of the respondent. */
  skipDates?: boolean;
}

export function buildSteps(form: FormView, options: StepOptions): Step[] {
  const items = form.items.filter((item) => !(options.skipDates && item.kind.type === "date"));
  const owners = detailOwners(form);
  const lastScored = items.reduce((last, item, i) => (isScored(item) ? i : last), -1);
  // An "other" detail shares its owner's screen: it only makes sense right under that answer.
  const grouped = (list: ItemView[]) => {
    if (!options.onePerScreen) return [list];
    const groups: ItemView[][] = [];
    for (const item of list) {
      if (owners.has(item.id) && groups.length > 0) groups[groups.length - 1].push(item);
      else groups.push([item]);
    }
    return groups;
  };
  const profile = items.filter((item, i) => !isScored(item) && i < lastScored);
  const closing = items.filter((item, i) => !isScored(item) && i > lastScored);
  const steps: Step[] = [];
  if (profile.length > 0) {
    for (const group of grouped(profile)) steps.push({ kind: "profile", items: group });
  }
  for (const item of items.filter(isScored)) steps.push({ kind: "unsur", items: [item] });
  if (closing.length > 0) {
    for (const group of grouped(closing)) steps.push({ kind: "closing", items: group });
  }
  steps.push({ kind: "review", items: [] });
  return steps;
}

/** A stored step may come from an older form or a corrupted draft: keep it on the map. */
export function clampStep(step: number, steps: Step[]): number {
  if (!Number.isFinite(step) || step < 0) return 0;
  return Math.min(Math.floor(step), steps.length - 1);
}

export const reviewIndex = (steps: Step[]) => steps.length - 1;

/** The items of a step that apply, given the answers so far. */
export function visibleItems(step: Step, form: FormView, answers: Record<string, string>): ItemView[] {
  const owners = detailOwners(form);
  return step.items.filter((item) => isRelevant(item.id, answers, owners));
}

/** The first required item of the step still unanswered, which blocks "next". */
export function missingOnStep(
  step: Step,
  form: FormView,
  answers: Record<string, string>,
): ItemView | null {
  return (
    visibleItems(step, form, answers).find(
      (item) => item.required && (answers[item.id] ?? "").trim() === "",
    ) ?? null
  );
}

/** The screen an item is asked on, for "change" links on the review page. */
export function stepOfItem(steps: Step[], itemId: string): number {
  const i = steps.findIndex((s) => s.items.some((item) => item.id === itemId));
  return i < 0 ? 0 : i;
}

/** Every item the review lists, in form order, with the relevant ones only. */
export function reviewItems(form: FormView, answers: Record<string, string>): ItemView[] {
  const owners = detailOwners(form);
  return form.items.filter((item) => isRelevant(item.id, answers, owners));
}

/** The first required item anywhere still unanswered; the review blocks saving on it. */
export function firstMissing(form: FormView, answers: Record<string, string>): ItemView | null {
  return (
    reviewItems(form, answers).find(
      (item) => item.required && (answers[item.id] ?? "").trim() === "",
    ) ?? null
  );
}

/**
 * Date items default to today: an interview is dated when it happens, and a respondent at
 * the kiosk should not have to type a date at all. `null` when nothing needs filling.
 */
export function withToday(
  form: FormView,
  answers: Record<string, string>,
  today: string,
): Record<string, string> | null {
  const blank = form.items.filter(
    (item) => item.kind.type === "date" && (answers[item.id] ?? "").trim() === "",
  );
  if (blank.length === 0) return null;
  return { ...answers, ...Object.fromEntries(blank.map((item) => [item.id, today])) };
}
