import { useId, useState, type FormEvent } from 'react';
import { fieldErrors, problemOf } from '../api/errors';
import { isConfirmationCancelled } from '../lib/confirmation';
import { describeUserAgent } from '../lib/userAgent';
import { PASSKEY_NAME_MAX } from '../lib/validation';
import { isPasskeyCancelled, passkeyErrorMessage } from '../lib/webauthn';
import { FormError, SubmitOrCancel, TextField } from './Field';

interface AddPasskeyFormProps {
  /** Creates the passkey under `name` (the browser asks the person); a refusal (thrown) shows here. */
  onAdd: (name: string) => Promise<void>;
  onCancel: () => void;
}

/** Whether the person gave up on the way (the confirmation, or the browser's prompt): nothing to say. */
function gaveUp(err: unknown): boolean {
  return isConfirmationCancelled(err) || isPasskeyCancelled(err);
}

/** Names a new passkey (by default after this browser and system), then has the browser create it. */
export function AddPasskeyForm({ onAdd, onCancel }: AddPasskeyFormProps) {
  const [name, setName] = useState(() => describeUserAgent(navigator.userAgent));
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const trimmed = name.trim();
    setFieldError(trimmed ? null : 'Enter a name for the passkey');
    if (!trimmed) return;
    setBusy(true);
    try {
      await onAdd(trimmed);
    } catch (err) {
      const blamed = fieldErrors(problemOf(err)).name;
      if (blamed) setFieldError(blamed);
      else if (!gaveUp(err)) setError(passkeyErrorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="add-passkey-form">
      <FormError message={error} />
      <TextField
        id={`${id}-name`}
        label="Passkey name"
        hint="To tell your passkeys apart: the device or password manager that keeps it."
        value={name}
        onChange={(e) => setName(e.target.value)}
        maxLength={PASSKEY_NAME_MAX}
        autoComplete="off"
        error={fieldError}
        autoFocus
        required
      />
      <SubmitOrCancel label="Create passkey" busyLabel="Waiting for your passkey…" busy={busy} onCancel={onCancel} />
    </form>
  );
}
