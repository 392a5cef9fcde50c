import { useShell } from "../context";

export function ErrorBanner({ message, onClose }: { message: string; onClose: () => void }) {
  const { t } = useShell();
  return (
    <div className="error-bar" role="alert">
      <span data-testid="error-banner" className="error-banner">
        {message}
      </span>
      <button type="button" className="ghost" onClick={onClose} aria-label={t.dismiss}>
        ✕
      </button>
    </div>
  );
}
