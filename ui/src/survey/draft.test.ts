import { describe, expect, it } from "vitest";
import { DRAFT_MAX_AGE_MS, draftKey, dropDraft, loadDraft, saveDraft } from "./draft";

function memory(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

describe("a draft of the questionnaire", () => {
  it("comes back with its answers and question, per link and sheet", () => {
    const storage = memory();
    const key = draftKey("Kq7m4xPa2Hc9", "K-001");
    expect(key).not.toBe(draftKey("Kq7m4xPa2Hc9", null));
    saveDraft(storage, key, { jenis_kelamin: "P", umur: "34" }, "pendidikan", 1_000);
    expect(loadDraft(storage, key, 2_000)).toEqual({
      answers: { jenis_kelamin: "P", umur: "34" },
      current: "pendidikan",
      saved_at: 1_000,
    });
    expect(loadDraft(storage, draftKey("Kq7m4xPa2Hc9", null), 2_000)).toBeNull();
  });

  it("is not offered when it is a day old, empty or unreadable, and the old one is dropped", () => {
    const storage = memory();
    saveDraft(storage, "a", { umur: "34" }, "umur", 0);
    expect(loadDraft(storage, "a", DRAFT_MAX_AGE_MS)).toBeNull();
    expect(storage.getItem("a")).toBeNull();
    saveDraft(storage, "b", { umur: "" }, "umur", 0);
    expect(loadDraft(storage, "b", 1)).toBeNull();
    storage.setItem("c", "{not json");
    expect(loadDraft(storage, "c", 1)).toBeNull();
    dropDraft(storage, "b");
    expect(storage.getItem("b")).toBeNull();
  });

  it("keeps the page working where the browser stores nothing", () => {
    const refusing = { ...memory(), setItem: () => { throw new Error("quota"); } };
    expect(() => saveDraft(refusing, "a", { umur: "34" }, null)).not.toThrow();
    expect(loadDraft(null, "a")).toBeNull();
  });
});
