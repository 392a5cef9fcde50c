import { describe, expect, it } from "vitest";
import { webStrings } from "./i18n";
import { signInProblem } from "./signInError";

describe("a refused sign-in", () => {
  it("tells a wrong password from too many attempts, with the wait in whole minutes", () => {
    expect(signInProblem({ code: "wrong_credentials", message: "", retryAfter: null })).toEqual({ kind: "wrong" });
    expect(signInProblem({ code: "too_many_attempts", message: "", retryAfter: 61 })).toEqual({
      kind: "throttled",
      minutes: 2,
    });
    expect(signInProblem({ code: "too_many_attempts", message: "", retryAfter: 5 })).toEqual({
      kind: "throttled",
      minutes: 1,
    });
    expect(signInProblem({ code: "unreachable", message: "x", retryAfter: null })).toEqual({ kind: "unreachable" });
  });

  it("words the wait in both languages", () => {
    expect(webStrings.id.signIn.throttled(15)).toBe("Terlalu banyak percobaan gagal. Coba lagi dalam 15 menit.");
    expect(webStrings.en.signIn.throttled(1)).toBe("Too many failed attempts. Try again in 1 minute.");
  });
});
