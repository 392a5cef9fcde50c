import { describe, expect, it } from "vitest";
import { answersToSend, askedItems, nextItem, previousItem, screens } from "./flow";
import type { Form } from "./form";
import { testForm } from "./fixtures";

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe("the respondent's path", () => {
  it("asks every item but dates, one per screen in form order", () => {
    expect(ids(askedItems(testForm.items, null))).toEqual([
      "jenis_kelamin",
      "umur",
      "pekerjaan",
      "pekerjaan_lainnya",
      "layanan",
      "U1",
      "U2",
      "U3",
      "saran",
    ]);
    expect(ids(screens(askedItems(testForm.items, null), {}))).not.toContain("tanggal");
  });

  it("skips layanan when the link names the service", () => {
    expect(ids(askedItems(testForm.items, "KTP-el"))).not.toContain("layanan");
    expect(ids(askedItems(testForm.items, ""))).toContain("layanan");
  });

  it("asks for the other occupation only while its 'other' code is chosen", () => {
    const asked = askedItems(testForm.items, null);
    expect(ids(screens(asked, {}))).not.toContain("pekerjaan_lainnya");
    expect(ids(screens(asked, { pekerjaan: "PNS" }))).not.toContain("pekerjaan_lainnya");
    const other = ids(screens(asked, { pekerjaan: "LAINNYA" }));
    expect(other.indexOf("pekerjaan_lainnya")).toBe(other.indexOf("pekerjaan") + 1);
  });

  it("finds the detail of any choice with an 'other', not by its id", () => {
    const form: Form = {
      ...testForm,
      items: [
        { id: "asal", label: { id: "Asal", en: "From" }, required: false, kind: { Choice: { options: [{ code: "X", label: { id: "X", en: "X" } }], other: "X", other_item: "asal_x" } } },
        { id: "asal_x", label: { id: "Asal lain", en: "Other" }, required: false, kind: { Text: { max_len: 50 } } },
      ],
    };
    expect(ids(screens(form.items, {}))).toEqual(["asal"]);
    expect(ids(screens(form.items, { asal: "X" }))).toEqual(["asal", "asal_x"]);
  });

  it("steps forward and back by item id, and past the last to sending", () => {
    const list = screens(askedItems(testForm.items, "KTP-el"), {});
    expect(nextItem(list, null)).toBe("jenis_kelamin");
    expect(nextItem(list, "pekerjaan")).toBe("U1");
    expect(nextItem(list, "saran")).toBeNull();
    expect(previousItem(list, "U1")).toBe("pekerjaan");
    expect(previousItem(list, "jenis_kelamin")).toBeNull();
  });

  it("sends trimmed answers on the path only, leaving a detail that no longer applies", () => {
    const list = screens(askedItems(testForm.items, null), { pekerjaan: "PNS" });
    const sent = answersToSend(list, {
      jenis_kelamin: "P",
      umur: " 34 ",
      pekerjaan: "PNS",
      pekerjaan_lainnya: "Nelayan",
      tanggal: "2026-11-30",
      U1: "4",
      saran: "   ",
    });
    expect(sent).toEqual({ jenis_kelamin: "P", umur: "34", pekerjaan: "PNS", U1: "4" });
  });
});
