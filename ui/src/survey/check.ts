// The page's own check of an answer before Next, in both languages and naming the question, so
// a respondent learns of a slip at once and not only after sending. The rules mirror
// `simpul_survey::Form::parse_answer` and never refuse what it takes; the server still judges
// every set it receives.
import { kindOf, type Answers, type Item, type Text } from "./form";

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Why `raw` cannot be the answer to `item`, or `null` when it can. */
export function problem(item: Item, raw: string | undefined): Text | null {
  const value = (raw ?? "").trim();
  const { id, en } = item.label;
  if (value === "") {
    return item.required ? { id: `${id}: wajib dijawab.`, en: `${en}: an answer is required.` } : null;
  }
  const kind = kindOf(item);
  const chooseOne = { id: `${id}: pilih salah satu jawaban.`, en: `${en}: choose one of the answers.` };
  switch (kind.type) {
    case "scored":
      return /^[1-4]$/.test(value) ? null : chooseOne;
    case "choice":
      return kind.options.some((o) => sameText(o.code, value) || sameText(o.label.id, value) || sameText(o.label.en, value))
        ? null
        : chooseOne;
    case "integer": {
      const n = Number(value);
      return /^[+-]?\d+$/.test(value) && n >= kind.min && n <= kind.max
        ? null
        : {
            id: `${id}: isi bilangan bulat ${kind.min}–${kind.max}.`,
            en: `${en}: enter a whole number from ${kind.min} to ${kind.max}.`,
          };
    }
    case "text": {
      // Characters as Rust counts them (code points), not UTF-16 units.
      const length = [...value].length;
      return length <= kind.maxLen
        ? null
        : {
            id: `${id}: paling banyak ${kind.maxLen} karakter (sekarang ${length}).`,
            en: `${en}: at most ${kind.maxLen} characters (now ${length}).`,
          };
    }
    case "date":
      // Never asked: the server dates a set itself.
      return null;
  }
}

/** The first item on the path whose answer cannot be sent, checked again before Send because a
 * respondent may have gone back and changed an earlier screen. */
export function firstProblem(list: Item[], answers: Answers): { item: string; text: Text } | null {
  for (const item of list) {
    const text = problem(item, answers[item.id]);
    if (text) return { item: item.id, text };
  }
  return null;
}
