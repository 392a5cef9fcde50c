// A refused sign-in, in words: which of the server's answers it was, and how long to wait.
import type { ApiError } from "./api";

export type SignInProblem =
  | { kind: "wrong" }
  | { kind: "throttled"; minutes: number }
  | { kind: "unreachable" }
  | { kind: "other"; message: string };

export function signInProblem(error: ApiError): SignInProblem {
  switch (error.code) {
    case "wrong_credentials":
      return { kind: "wrong" };
    case "too_many_attempts":
      // Whole minutes, rounded up: "wait 0 minutes" would invite another failure.
      return { kind: "throttled", minutes: Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60)) };
    case "unreachable":
      return { kind: "unreachable" };
    default:
      return { kind: "other", message: error.message };
  }
}
