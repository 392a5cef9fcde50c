import { describe, expect, it } from "vitest";
import { firstProblem, problem } from "./check";
import { item } from "./fixtures";

describe("checking an answer before Next", () => {
  it("requires an answer to a required item, naming the question in both languages", () => {
    expect(problem(item("U1"), "")).toEqual({ id: "Unsur 1?: wajib dijawab.", en: "Unsur 1?: an answer is required." });
    expect(problem(item("U1"), "  ")).not.toBeNull();
    expect(problem(item("umur"), "")).toBeNull();
    expect(problem(item("U1"), "3")).toBeNull();
  });

  it("takes a whole number within the bounds, as the server does", () => {
    for (const ok of ["10", "120", " 34 ", "+34"]) expect(problem(item("umur"), ok)).toBeNull();
    for (const bad of ["9", "121", "34.5", "3e1", "tiga puluh", "34 tahun"]) {
      expect(problem(item("umur"), bad)).toEqual({
        id: "Umur (tahun): isi bilangan bulat 10–120.",
        en: "Age (years): enter a whole number from 10 to 120.",
      });
    }
  });

  it("counts a text's characters, not its UTF-16 units", () => {
    expect(problem(item("layanan"), "é".repeat(200))).toBeNull();
    expect(problem(item("layanan"), "😀".repeat(200))).toBeNull();
    expect(problem(item("layanan"), "a".repeat(201))).toEqual({
      id: "Jenis layanan yang diterima: paling banyak 200 karakter (sekarang 201).",
      en: "Service received: at most 200 characters (now 201).",
    });
  });

  it("takes only the item's own options", () => {
    expect(problem(item("jenis_kelamin"), "P")).toBeNull();
    expect(problem(item("jenis_kelamin"), "perempuan")).toBeNull();
    expect(problem(item("jenis_kelamin"), "X")?.en).toBe("Sex: choose one of the answers.");
    expect(problem(item("U1"), "5")?.id).toBe("Unsur 1?: pilih salah satu jawaban.");
  });

  it("before sending, names the first item on the path that cannot go", () => {
    const list = [item("umur"), item("U1"), item("U2")];
    expect(firstProblem(list, { umur: "34", U1: "4", U2: "3" })).toBeNull();
    expect(firstProblem(list, { umur: "34", U1: "4" })?.item).toBe("U2");
    expect(firstProblem(list, { umur: "5", U2: "3" })?.item).toBe("umur");
  });
});
