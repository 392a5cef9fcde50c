// How the sync light reads: a colour and a few plain words per phase, the progress bar while
// syncing, and the counts. Shared by the header indicator and the sync screen.
import type { Language } from "../bindings/Language";
import type { SyncPhase } from "../bindings/SyncPhase";
import type { SyncState } from "../bindings/SyncState";
import { strings } from "../i18n";

export interface SyncView {
  phase: SyncPhase;
  label: string;
  colour: string;
  /** Extra words from Rust (why it is offline, what failed, that the server was restored
   * from a backup), when there are any. */
  detail: string | null;
  /** `null` unless syncing with something to send. */
  progress: { value: number; max: number } | null;
  counts: string;
  online: boolean;
}

const COLOURS: Record<SyncPhase, string> = {
  not_enrolled: "var(--phase-idle)",
  offline: "var(--phase-offline)",
  syncing: "var(--phase-busy)",
  up_to_date: "var(--phase-ok)",
  error: "var(--phase-error)",
};

export function syncView(state: SyncState, lang: Language): SyncView {
  const s = strings[lang].sync;
  const syncing = state.phase === "syncing";
  return {
    phase: state.phase,
    label: s.phase[state.phase],
    colour: COLOURS[state.phase],
    detail: state.phase === "syncing" ? null : (state.message ?? null),
    progress:
      syncing && state.to_push > 0
        ? { value: Math.min(state.pushed, state.to_push), max: state.to_push }
        : null,
    counts: s.counts(state.pushed, state.to_push, state.pulled),
    // "Online" means the server answered last time; without a server there is nothing to reach.
    online: state.phase === "syncing" || state.phase === "up_to_date",
  };
}
