// Messages for answers the window refuses before asking Rust, in the person's language:
// they name the item and what is allowed, like "U3: isi angka 1–4".
import type { ItemView } from "../bindings/ItemView";
import type { Language } from "../bindings/Language";
import { accepts } from "./items";

function orList(words: string[], or: string): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${or} ${words[words.length - 1]}`;
}

/** What the item accepts, as an instruction. */
export function allowedText(item: ItemView, lang: Language): string {
  const k = item.kind;
  switch (k.type) {
    case "scored":
      return lang === "id" ? "isi angka 1–4" : "enter a number 1–4";
    case "choice": {
      const codes = k.options.map((c) => c.code);
      return lang === "id" ? `isi ${orList(codes, "atau")}` : `enter ${orList(codes, "or")}`;
    }
    case "integer":
      return lang === "id"
        ? `isi bilangan bulat ${k.min}–${k.max}`
        : `enter a whole number ${k.min}–${k.max}`;
    case "date":
      return lang === "id"
        ? "isi tanggal yang ada, mis. 30/11/2026"
        : "enter a day that exists, e.g. 30/11/2026";
    case "text":
      return lang === "id"
        ? `paling banyak ${k.max_len} karakter`
        : `at most ${k.max_len} characters`;
  }
}

/** `null` when the value is fine (or empty); otherwise "<item>: <what is allowed>". */
export function answerMessage(item: ItemView, raw: string, lang: Language): string | null {
  return accepts(item, raw) ? null : `${item.id}: ${allowedText(item, lang)}`;
}

export function requiredMessage(itemId: string, lang: Language): string {
  return lang === "id" ? `${itemId}: wajib diisi` : `${itemId}: required`;
}

export function serialMessage(lang: Language): string {
  return lang === "id" ? "No.: isi nomor kuesioner" : "No.: enter the questionnaire number";
}
