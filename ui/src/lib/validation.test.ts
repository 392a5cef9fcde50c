import { describe, expect, it } from "vitest";
import { allowedText, answerMessage, requiredMessage, serialMessage } from "./validation";
import { testForm } from "./testForm";

const item = (id: string) => testForm.items.find((i) => i.id === id)!;

describe("validation messages", () => {
  it("say what an unsur accepts, in Indonesian and English", () => {
    expect(answerMessage(item("U3"), "5", "id")).toBe("U3: isi angka 1–4");
    expect(answerMessage(item("U3"), "5", "en")).toBe("U3: enter a number 1–4");
  });

  it("list the codes of a choice with the right 'or'", () => {
    expect(allowedText(item("pekerjaan"), "id")).toBe("isi PNS atau LAINNYA");
    expect(allowedText(item("pekerjaan"), "en")).toBe("enter PNS or LAINNYA");
  });

  it("give the bounds of a number and the length of a text", () => {
    expect(answerMessage(item("umur"), "200", "en")).toBe("umur: enter a whole number 10–120");
    expect(answerMessage(item("saran"), "x".repeat(2001), "id")).toBe(
      "saran: paling banyak 2000 karakter",
    );
  });

  it("say nothing for a good or empty answer", () => {
    expect(answerMessage(item("U3"), "4", "id")).toBeNull();
    expect(answerMessage(item("U3"), "  ", "id")).toBeNull();
  });

  it("name a missing item and a missing serial", () => {
    expect(requiredMessage("U1", "id")).toBe("U1: wajib diisi");
    expect(requiredMessage("U1", "en")).toBe("U1: required");
    expect(serialMessage("en")).toBe("No.: enter the questionnaire number");
  });
});
