// A small copy of the standard questionnaire for the unit tests.
import type { FormView } from "../bindings/FormView";
import type { ItemView } from "../bindings/ItemView";

const scored = (n: number): ItemView => ({
  id: `U${n}`,
  label: `Unsur ${n}`,
  required: true,
  kind: {
    type: "scored",
    unsur: `U${n}`,
    options: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
  },
});

export const testForm: FormView = {
  id: "skm-2017",
  title: "SKM",
  items: [
    { id: "tanggal", label: "Tanggal survei", required: false, kind: { type: "date" } },
    {
      id: "jenis_kelamin",
      label: "Jenis kelamin",
      required: false,
      kind: {
        type: "choice",
        options: [
          { code: "L", label: "Laki-laki", labels: ["Laki-laki", "Male"] },
          { code: "P", label: "Perempuan", labels: ["Perempuan", "Female"] },
        ],
        other: null,
        other_item: null,
      },
    },
    { id: "umur", label: "Umur", required: false, kind: { type: "integer", min: 10, max: 120 } },
    {
      id: "pekerjaan",
      label: "Pekerjaan",
      required: false,
      kind: {
        type: "choice",
        options: [
          { code: "PNS", label: "PNS", labels: ["PNS", "Civil servant"] },
          { code: "LAINNYA", label: "Lainnya", labels: ["Lainnya", "Other"] },
        ],
        other: "LAINNYA",
        other_item: "pekerjaan_lainnya",
      },
    },
    {
      id: "pekerjaan_lainnya",
      label: "Pekerjaan lainnya",
      required: false,
      kind: { type: "text", max_len: 200 },
    },
    { id: "layanan", label: "Layanan", required: false, kind: { type: "text", max_len: 200 } },
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map(scored),
    { id: "saran", label: "Saran", required: false, kind: { type: "text", max_len: 2000 } },
  ],
};
