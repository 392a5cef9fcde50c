import { useShell } from "../context";
import { syncView } from "../lib/syncView";

/** The header light: always visible, so an enumerator knows whether their work has left. */
export function SyncIndicator({ onOpen }: { onOpen?: () => void }) {
  const { sync, lang } = useShell();
  if (!sync) return null;
  const view = syncView(sync, lang);
  return (
    <button
      type="button"
      className="sync-indicator"
      data-phase={view.phase}
      onClick={onOpen}
      title={view.detail ?? view.label}
    >
      <span className="dot" style={{ background: view.colour }} aria-hidden="true" />
      <span>{view.label}</span>
    </button>
  );
}
