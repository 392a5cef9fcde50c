// What the survey page's unit tests share: the standard questionnaire as the server serialises
// it (`simpul_survey::skm_2017`, shortened to three unsur), an outbox entry, and localStorage.
import type { Form, Item, Text } from "./form";
import type { Pending } from "./outbox";

const text = (id: string, en = id): Text => ({ id, en });

const scored = (n: number): Item => ({
  id: `U${n}`,
  label: text(`Unsur ${n}?`, `Unsur ${n}?`),
  required: true,
  aliases: [],
  kind: { Scored: { unsur: `U${n}`, options: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"].map((o) => text(o)) } },
});

export const testForm: Form = {
  id: "skm-2017",
  version: 1,
  method: "permenpanrb-14-2017",
  title: text("Survei Kepuasan Masyarakat", "Community satisfaction survey (SKM)"),
  items: [
    { id: "tanggal", label: text("Tanggal survei", "Survey date"), required: false, aliases: ["date"], kind: "Date" },
    {
      id: "jenis_kelamin",
      label: text("Jenis kelamin", "Sex"),
      required: false,
      aliases: ["gender"],
      kind: {
        Choice: {
          options: [
            { code: "L", label: text("Laki-laki", "Male") },
            { code: "P", label: text("Perempuan", "Female") },
          ],
          other: null,
          other_item: null,
        },
      },
    },
    { id: "umur", label: text("Umur (tahun)", "Age (years)"), required: false, aliases: ["age"], kind: { Integer: { min: 10, max: 120 } } },
    {
      id: "pekerjaan",
      label: text("Pekerjaan", "Occupation"),
      required: false,
      aliases: ["occupation"],
      kind: {
        Choice: {
          options: [
            { code: "PNS", label: text("PNS", "Civil servant (PNS)") },
            { code: "LAINNYA", label: text("Lainnya", "Other") },
          ],
          other: "LAINNYA",
          other_item: "pekerjaan_lainnya",
        },
      },
    },
    {
      id: "pekerjaan_lainnya",
      label: text("Pekerjaan lainnya (sebutkan)", "Other occupation (please specify)"),
      required: false,
      aliases: [],
      kind: { Text: { max_len: 200 } },
    },
    { id: "layanan", label: text("Jenis layanan yang diterima", "Service received"), required: false, aliases: ["service"], kind: { Text: { max_len: 200 } } },
    scored(1),
    scored(2),
    scored(3),
    { id: "saran", label: text("Saran dan masukan", "Suggestions and feedback"), required: false, aliases: ["suggestion"], kind: { Text: { max_len: 2000 } } },
  ],
};

export const item = (id: string): Item => testForm.items.find((i) => i.id === id)!;

export const pending = (id: string, over: Partial<Pending> = {}): Pending => ({
  token: "q7xkabcdefgh",
  id,
  serial: null,
  answers: { U1: "4" },
  created_at: "2026-11-30T08:00:00.000Z",
  ...over,
});

/** `localStorage` as a map; `full` makes every write fail, as a full or private store does. */
export function memoryStorage(full = false) {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (full) throw new DOMException("full", "QuotaExceededError");
      map.set(key, value);
    },
  };
}
