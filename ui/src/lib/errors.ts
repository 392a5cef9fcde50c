import type { AppError } from "../bindings/AppError";
import type { ErrorCode } from "../bindings/ErrorCode";

const CODES: readonly ErrorCode[] = [
  "not_set_up",
  "not_signed_in",
  "invalid",
  "wrong_pin",
  "not_found",
  "unreachable",
  "refused",
  "cancelled",
  "internal",
];

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.message === "string" && typeof v.code === "string" && CODES.includes(v.code as ErrorCode)
  );
}

/**
 * Every rejection the screens see is an AppError: Tauri itself can reject with a bare string
 * (an unknown command, a bad argument) and JS can throw anything, and the screens should only
 * ever branch on `code`.
 */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return { code: value.code, message: value.message };
  if (value instanceof Error) return { code: "internal", message: value.message };
  if (typeof value === "string") return { code: "internal", message: value };
  if (typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string") {
    return { code: "internal", message: (value as { message: string }).message };
  }
  return { code: "internal", message: String(value) };
}
