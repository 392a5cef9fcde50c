// The questionnaire as a respondent walks it: one item per screen, in form order. Screens are
// worked out from the answers each time, so a choice's "other" detail appears and disappears
// as that choice changes, and the page navigates by item id rather than by position.
import { kindOf, type Answers, type Item } from "./form";

/** The profile item a link's fixed service answers; the server fills it from the link. */
const SERVICE_ITEM = "layanan";

/** The items a respondent may be asked: not dates, which the server fills with the day it
 * receives the set, and not `layanan` when the link names the service. */
export function askedItems(items: Item[], service: string | null): Item[] {
  return items.filter((item) => kindOf(item).type !== "date" && !(service && item.id === SERVICE_ITEM));
}

/** The asked items that apply to these answers: a choice's "other" detail only while its
 * "other" code is chosen. */
export function screens(asked: Item[], answers: Answers): Item[] {
  const owners = new Map<string, { owner: string; code: string }>();
  for (const item of asked) {
    const kind = kindOf(item);
    if (kind.type === "choice" && kind.other && kind.otherItem) {
      owners.set(kind.otherItem, { owner: item.id, code: kind.other });
    }
  }
  return asked.filter((item) => {
    const owner = owners.get(item.id);
    return !owner || answers[owner.owner] === owner.code;
  });
}

/** The item after `current`, or `null` after the last (time to send). An id no longer on the
 * list starts from the first. */
export function nextItem(list: Item[], current: string | null): string | null {
  const at = list.findIndex((item) => item.id === current);
  return list[at + 1]?.id ?? null;
}

/** The item before `current`, or `null` before the first (back to the start screen). */
export function previousItem(list: Item[], current: string): string | null {
  const at = list.findIndex((item) => item.id === current);
  return at > 0 ? list[at - 1].id : null;
}

/** What the set carries: each answered item on the respondent's path, trimmed. An answer to a
 * detail that no longer applies stays behind. */
export function answersToSend(list: Item[], answers: Answers): Answers {
  const sent: Answers = {};
  for (const item of list) {
    const value = (answers[item.id] ?? "").trim();
    if (value !== "") sent[item.id] = value;
  }
  return sent;
}
