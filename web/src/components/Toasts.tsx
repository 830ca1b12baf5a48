import { useUi, type Toast } from '../stores/ui';
import { CloseIcon } from './Icons';

interface ToastStackProps {
  toasts: Toast[];
  role: 'status' | 'alert';
  live: 'polite' | 'assertive';
  testId: string;
}

/** One live region of toasts, each with a dismiss button. */
function ToastStack({ toasts, role, live, testId }: ToastStackProps) {
  const dismiss = useUi((s) => s.dismissToast);
  return (
    <div role={role} aria-live={live} className="toasts__stack">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.kind}`} data-testid={testId}>
          <span>{t.message}</span>
          <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}

/** Transient messages; errors are announced assertively, the rest politely. */
export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  return (
    <div className="toasts" aria-label="Notifications" role="region">
      <ToastStack toasts={toasts.filter((t) => t.kind !== 'error')} role="status" live="polite" testId="toast" />
      <ToastStack toasts={toasts.filter((t) => t.kind === 'error')} role="alert" live="assertive" testId="toast-error" />
    </div>
  );
}
