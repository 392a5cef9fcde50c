import { describe, expect, it } from "vitest";
import { toAppError } from "./errors";

describe("toAppError", () => {
  it("keeps an AppError as it is", () => {
    expect(toAppError({ code: "wrong_pin", message: "PIN salah" })).toEqual({
      code: "wrong_pin",
      message: "PIN salah",
    });
  });

  it("turns a bare string from Tauri into an internal error", () => {
    expect(toAppError("command foo not found")).toEqual({
      code: "internal",
      message: "command foo not found",
    });
  });

  it("turns a thrown Error into an internal error with its message", () => {
    expect(toAppError(new Error("boom"))).toEqual({ code: "internal", message: "boom" });
  });

  it("does not trust an unknown code", () => {
    expect(toAppError({ code: "weird", message: "x" })).toEqual({ code: "internal", message: "x" });
  });
});
