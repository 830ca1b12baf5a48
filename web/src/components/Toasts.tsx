import { useUi } from '../stores/ui';
import { CloseIcon } from './Icons';

/** Transient messages; errors are announced assertively, the rest politely. */
export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismissToast);
  return (
    <div className="toasts" aria-label="Notifications" role="region">
      <div role="status" aria-live="polite" className="toasts__stack">
        {toasts
          .filter((t) => t.kind !== 'error')
          .map((t) => (
            <div key={t.id} className={`toast toast--${t.kind}`} data-testid="toast">
              <span>{t.message}</span>
              <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
                <CloseIcon />
              </button>
            </div>
          ))}
      </div>
      <div role="alert" aria-live="assertive" className="toasts__stack">
        {toasts
          .filter((t) => t.kind === 'error')
          .map((t) => (
            <div key={t.id} className="toast toast--error" data-testid="toast-error">
              <span>{t.message}</span>
              <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
                <CloseIcon />
              </button>
            </div>
          ))}
      </div>
    </div>
  );
}
