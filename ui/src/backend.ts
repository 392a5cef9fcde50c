// The one place the window talks to Rust: a typed function per command of the IPC contract.
// Every rejection is normalised to an AppError so screens only branch on its `code`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AppState } from "./bindings/AppState";
import type { BundleResult } from "./bindings/BundleResult";
import type { Channel } from "./bindings/Channel";
import type { ConflictView } from "./bindings/ConflictView";
import type { Draft } from "./bindings/Draft";
import type { Enumerator } from "./bindings/Enumerator";
import type { FormView } from "./bindings/FormView";
import type { Home } from "./bindings/Home";
import type { ImportResult } from "./bindings/ImportResult";
import type { Language } from "./bindings/Language";
import type { OfflineSetup } from "./bindings/OfflineSetup";
import type { PaperRow } from "./bindings/PaperRow";
import type { ReportView } from "./bindings/ReportView";
import type { ResponseDetail } from "./bindings/ResponseDetail";
import type { ResponseFilter } from "./bindings/ResponseFilter";
import type { ResponseRow } from "./bindings/ResponseRow";
import type { Saved } from "./bindings/Saved";
import type { ServerSetup } from "./bindings/ServerSetup";
import type { SyncState } from "./bindings/SyncState";
import type { WorkProgress } from "./bindings/WorkProgress";
import type { Exported } from "./bindings/Exported";
import { toAppError } from "./lib/errors";

/**
 * `npm run dev` in a plain browser has no Rust behind it; a fake stands in. The check on
 * `import.meta.env.DEV` is a build-time constant, so production bundles never include it.
 */
const preview = () => typeof window !== "undefined" && !("__TAURI_INTERNALS__" in window);

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    if (import.meta.env.DEV && preview()) {
      const fake = await import("./dev/fakeBackend");
      return await fake.fakeInvoke<T>(command, args ?? {});
    }
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const appState = () => call<AppState>("app_state");
export const setLanguage = (language: Language) => call<AppState>("set_language", { language });
export const setupOffline = (setup: OfflineSetup) => call<AppState>("setup_offline", { setup });
export const setupServer = (setup: ServerSetup) => call<AppState>("setup_server", { setup });
export const enrol = (setup: ServerSetup) => call<AppState>("enrol", { setup });
export const addEnumerator = (name: string, pin: string) =>
  call<Enumerator>("add_enumerator", { name, pin });
export const signIn = (id: string, pin: string) => call<Enumerator>("sign_in", { id, pin });
export const signOut = () => call<AppState>("sign_out");
export const setKioskPin = (pin: string) => call<AppState>("set_kiosk_pin", { pin });
export const checkKioskPin = (pin: string) => call<null>("check_kiosk_pin", { pin });

export const home = () => call<Home>("home");
export const form = () => call<FormView>("form");
export const checkAnswer = (item: string, raw: string) =>
  call<string | null>("check_answer", { item, raw });

export const draftOpen = (channel: Channel) => call<Draft>("draft_open", { channel });
export const draftSave = (draft: Draft) => call<Draft>("draft_save", { draft });
export const draftDiscard = (id: string) => call<null>("draft_discard", { id });
export const draftSubmit = (id: string) => call<Saved>("draft_submit", { id });

export const savePaperRow = (row: PaperRow) => call<Saved>("save_paper_row", { row });
export const importCsv = (path: string) => call<ImportResult>("import_csv", { path });
export const exportCsv = (path: string) => call<Exported>("export_csv", { path });

export const listResponses = (filter: ResponseFilter) =>
  call<ResponseRow[]>("list_responses", { filter });
export const openResponse = (id: string) => call<ResponseDetail>("open_response", { id });
export const editResponse = (id: string, answers: Record<string, string>) =>
  call<ResponseDetail>("edit_response", { id, answers });
export const deleteResponse = (id: string) => call<ResponseDetail>("delete_response", { id });
export const restoreResponse = (id: string) => call<ResponseDetail>("restore_response", { id });
export const resolveConflict = (id: string, field: string, value: string) =>
  call<ResponseDetail>("resolve_conflict", { id, field, value });
export const conflicts = () => call<ConflictView[]>("conflicts");

export const report = (filter: ResponseFilter) => call<ReportView>("report", { filter });

export const syncState = () => call<SyncState>("sync_state");
export const syncNow = () => call<SyncState>("sync_now");
export const exportBundle = (path: string) => call<BundleResult>("export_bundle", { path });
export const importBundle = (path: string) => call<BundleResult>("import_bundle", { path });
/** Stops the running import or export at its next whole row; it then answers as usual. */
export const cancelWork = () => call<null>("cancel_work");

/** Follows the running import or export; resolves to the function that stops listening. */
export function onWork(cb: (progress: WorkProgress) => void): Promise<UnlistenFn> {
  if (import.meta.env.DEV && preview()) return Promise.resolve(() => {});
  return listen<WorkProgress>("work", (event) => cb(event.payload));
}

export type FileKind = "bundle" | "csv";

const filters: Record<FileKind, { name: string; extensions: string[] }[]> = {
  bundle: [{ name: "Simpul", extensions: ["simpul"] }],
  csv: [{ name: "CSV", extensions: ["csv"] }],
};

/**
 * The native dialog for a file to read, starting at `suggested`; `null` when the person
 * closed it. Without Rust behind the page (`npm run dev`) there is no dialog: `null`.
 */
export async function chooseFileToOpen(kind: FileKind, suggested: string): Promise<string | null> {
  if (preview()) return null;
  const { open } = await import("@tauri-apps/plugin-dialog");
  const chosen = await open({ defaultPath: suggested, filters: filters[kind], multiple: false, directory: false });
  return typeof chosen === "string" ? chosen : null;
}

/** The native dialog for a file to write, proposing `suggested`; `null` when closed. */
export async function chooseFileToSave(kind: FileKind, suggested: string): Promise<string | null> {
  if (preview()) return null;
  const { save } = await import("@tauri-apps/plugin-dialog");
  return (await save({ defaultPath: suggested, filters: filters[kind] })) ?? null;
}

/** Follows the background sync; resolves to the function that stops listening. */
export function onSync(cb: (state: SyncState) => void): Promise<UnlistenFn> {
  if (import.meta.env.DEV && preview()) {
    return import("./dev/fakeBackend").then((fake) => fake.fakeListen(cb));
  }
  return listen<SyncState>("sync", (event) => cb(event.payload));
}
