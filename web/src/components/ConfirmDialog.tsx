import { useRef } from 'react';
import { Modal } from './Modal';

interface ConfirmDialogProps {
  title: string;
  /** What happens if the person goes ahead. */
  description: string;
  /** The red button's text: "Delete", "Remove". */
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  /** While the confirmed action is under way in the dialog: the button shows `busyLabel`, disabled. */
  busy?: boolean;
  busyLabel?: string;
  testId?: string;
  confirmTestId?: string;
}

/** Asks before something hard to undo: Cancel (focused first, the safe choice) or go ahead. */
export function ConfirmDialog({
  title,
  description,
  confirmLabel,
  onConfirm,
  onClose,
  busy = false,
  busyLabel = confirmLabel,
  testId,
  confirmTestId,
}: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Modal title={title} description={description} onClose={onClose} initialFocus={cancelRef} size="sm" testId={testId}>
      <div className="form__actions">
        <button ref={cancelRef} type="button" className="button button--secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button button--danger" onClick={onConfirm} disabled={busy} data-testid={confirmTestId}>
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
