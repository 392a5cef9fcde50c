import { describe, expect, it } from "vitest";
import {
  afterTyping,
  cellErrors,
  changedAnswers,
  columnsOf,
  emptyRow,
  enter,
  move,
  nextRow,
  nextSerial,
  rowError,
} from "./paperGrid";
import { testForm } from "./testForm";

const columns = columnsOf(testForm);
const ids = columns.map((c) => c.id);
const index = (id: string) => ids.indexOf(id);

function fullRow() {
  const row = emptyRow(columns);
  row.serial = "K-001";
  row.jenis_kelamin = "P";
  for (let n = 1; n <= 9; n++) row[`U${n}`] = "4";
  return row;
}

describe("paper grid columns", () => {
  it("start with the serial, then the profile, the nine unsur, and end with saran", () => {
    expect(ids[0]).toBe("serial");
    expect(ids.slice(1, 7)).toEqual([
      "tanggal",
      "jenis_kelamin",
      "umur",
      "pekerjaan",
      "pekerjaan_lainnya",
      "layanan",
    ]);
    expect(ids.slice(7, 16)).toEqual(["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]);
    expect(ids[ids.length - 1]).toBe("saran");
  });
});

describe("moving between cells", () => {
  it("a valid digit in an unsur cell jumps to the next cell", () => {
    expect(afterTyping(columns, index("U1"), "3").next).toBe(index("U2"));
    expect(afterTyping(columns, index("U9"), "1").next).toBe(index("saran"));
  });

  it("a bad digit or an unfinished profile cell keeps the focus where it is", () => {
    expect(afterTyping(columns, index("U1"), "5").next).toBeNull();
    expect(afterTyping(columns, index("U1"), "34").next).toBeNull();
    expect(afterTyping(columns, index("umur"), "4").next).toBeNull();
    // 12 may still become 120.
    expect(afterTyping(columns, index("umur"), "12").next).toBeNull();
    expect(afterTyping(columns, index("tanggal"), "3011202").next).toBeNull();
  });

  it("a single-code field, an age and a whole date move on by themselves", () => {
    expect(afterTyping(columns, index("jenis_kelamin"), "p")).toEqual({ value: "P", next: index("umur") });
    expect(afterTyping(columns, index("umur"), "35").next).toBe(index("pekerjaan"));
    expect(afterTyping(columns, index("tanggal"), "30112026").next).toBe(index("jenis_kelamin"));
    expect(afterTyping(columns, index("tanggal"), "30/11/2026").next).toBe(index("jenis_kelamin"));
  });

  it("an option's number stands for its code, and the detail of other is asked only after other", () => {
    expect(afterTyping(columns, index("pekerjaan"), "1")).toEqual({ value: "PNS", next: index("layanan") });
    expect(afterTyping(columns, index("pekerjaan"), "2")).toEqual({
      value: "LAINNYA",
      next: index("pekerjaan_lainnya"),
    });
    expect(afterTyping(columns, index("pekerjaan"), "7").next).toBeNull();
  });

  it("Tab and Shift+Tab move one cell and stop at the ends of the row", () => {
    expect(move(columns, 0, 1)).toBe(1);
    expect(move(columns, 3, -1)).toBe(2);
    expect(move(columns, 0, -1)).toBeNull();
    expect(move(columns, columns.length - 1, 1)).toBeNull();
    expect(move(columns, index("pekerjaan"), 1, { pekerjaan: "PNS" })).toBe(index("layanan"));
  });

  it("the next sheet starts with the next serial and the same day", () => {
    expect(nextSerial("K-009")).toBe("K-010");
    expect(nextSerial("12")).toBe("13");
    expect(nextSerial("tanpa")).toBe("");
    const row = nextRow(columns, { ...fullRow(), tanggal: "30/11/2026" });
    expect([row.serial, row.tanggal, row.U1, row.jenis_kelamin]).toEqual(["K-002", "30/11/2026", "", ""]);
  });

  it("an edit of a saved row writes only the cells that changed", () => {
    const saved = fullRow();
    expect(changedAnswers(columns, saved, { ...saved, U3: "2", serial: "X" })).toEqual({ U3: "2" });
  });
});

describe("validating as typed", () => {
  it("marks a bad unsur cell and says which item and what is allowed", () => {
    const row = { ...fullRow(), U3: "7" };
    expect(cellErrors(columns, row, "id")).toEqual({ U3: "U3: isi angka 1–4" });
    expect(rowError(columns, row, "en")).toBe("U3: enter a number 1–4");
  });

  it("names the allowed codes of a choice and the bounds of a number", () => {
    const row = { ...fullRow(), jenis_kelamin: "X", umur: "5" };
    expect(cellErrors(columns, row, "id")).toEqual({
      jenis_kelamin: "jenis_kelamin: isi L atau P",
      umur: "umur: isi bilangan bulat 10–120",
    });
  });

  it("accepts a choice by its code or its label in any case", () => {
    const row = { ...fullRow(), jenis_kelamin: "perempuan", pekerjaan: "pns" };
    expect(cellErrors(columns, row, "id")).toEqual({});
  });

  it("refuses a date that does not exist", () => {
    expect(cellErrors(columns, { ...fullRow(), tanggal: "2025-02-30" }, "id")).toEqual({
      tanggal: "tanggal: isi tanggal yang ada, mis. 30/11/2026",
    });
  });

  it("an empty optional cell is not an error", () => {
    expect(rowError(columns, fullRow(), "id")).toBeNull();
  });
});

describe("what Enter does", () => {
  it("saves a complete row with every item, empty ones as empty strings", () => {
    const action = enter(columns, { ...fullRow(), saran: "  cepat " }, "id");
    expect(action.kind).toBe("save");
    if (action.kind !== "save") return;
    expect(action.row.serial).toBe("K-001");
    expect(action.row.answers.U1).toBe("4");
    expect(action.row.answers.saran).toBe("cepat");
    expect(action.row.answers.umur).toBe("");
    expect("serial" in action.row.answers).toBe(false);
  });

  it("does nothing on a blank row", () => {
    expect(enter(columns, emptyRow(columns), "id")).toEqual({ kind: "nothing" });
  });

  it("asks for the serial first", () => {
    const action = enter(columns, { ...fullRow(), serial: " " }, "id");
    expect(action).toMatchObject({ kind: "blocked", column: "serial" });
  });

  it("sends focus to a bad cell before a missing one", () => {
    const row = { ...fullRow(), U2: "", U5: "9" };
    expect(enter(columns, row, "id")).toEqual({
      kind: "blocked",
      column: "U2",
      message: "U2: wajib diisi",
    });
    expect(enter(columns, { ...row, U2: "1" }, "en")).toEqual({
      kind: "blocked",
      column: "U5",
      message: "U5: enter a number 1–4",
    });
  });
});
