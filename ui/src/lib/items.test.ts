import { describe, expect, it } from "vitest";
import { isTyped } from "./items";
import { testForm } from "./testForm";

const item = (id: string) => testForm.items.find((i) => i.id === id)!;

describe("typed items", () => {
  it("are the ones answered with the keyboard", () => {
    expect(isTyped(item("umur"))).toBe(true);
    expect(isTyped(item("tanggal"))).toBe(true);
    expect(isTyped(item("saran"))).toBe(true);
    expect(isTyped(item("jenis_kelamin"))).toBe(false);
    expect(isTyped(item("U1"))).toBe(false);
  });
});
