import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { createPasskey, removePasskey } from '../api/passkeys';
import type { Passkey } from '../api/types';
import { isConfirmationCancelled } from '../lib/confirmation';
import { formatDate, formatDateTime } from '../lib/tasks';
import type { Loadable } from '../lib/useLoadable';
import { passkeysUnavailable } from '../lib/webauthn';
import { useUi } from '../stores/ui';
import { AddPasskeyForm } from './AddPasskeyForm';
import { ConfirmDialog } from './ConfirmDialog';
import { Loaded } from './Loaded';
import { useConfirmedAction } from './useConfirmedAction';

interface PasskeyItemProps {
  passkey: Passkey;
  removing: boolean;
  onRemove: () => void;
}

function PasskeyItem({ passkey, removing, onRemove }: PasskeyItemProps) {
  return (
    <li className="session" data-testid="passkey-item">
      <div className="session__info">
        <p className="session__device">{passkey.name}</p>
        <p className="session__meta">
          <span>Added {formatDate(passkey.createdAt)}</span>
          <span>{passkey.lastUsedAt ? `Last used ${formatDateTime(passkey.lastUsedAt)}` : 'Never used'}</span>
        </p>
      </div>
      <button
        type="button"
        className="button button--secondary button--sm button--danger-text"
        onClick={onRemove}
        disabled={removing}
        aria-label={`Remove passkey: ${passkey.name}`}
      >
        {removing ? 'Removing…' : 'Remove'}
      </button>
    </li>
  );
}

interface PasskeysSectionProps {
  /** The account's passkeys (the account page loads them: other confirmations offer a passkey too). */
  passkeys: Loadable<Passkey[]>;
  reload: () => void;
  /** Whether two-step sign-in is on: an app code or a recovery code may confirm who is there. */
  twoStep: boolean;
  onChanged: () => void;
}

/** The account's passkeys: each by name, when added and last used; adding one, removing one. */
export function PasskeysSection({ passkeys, reload, twoStep, onChanged }: PasskeysSectionProps) {
  const toast = useUi((s) => s.toast);
  const [adding, setAdding] = useState(false);
  // Back from the form, focus goes to the button that opened it.
  const [formClosed, setFormClosed] = useState(false);
  const [asking, setAsking] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const { confirmed, dialog } = useConfirmedAction({
    twoStep,
    passkey: passkeys.state === 'ready' && passkeys.value.length > 0,
  });
  const unavailable = passkeysUnavailable();

  const changed = () => {
    reload();
    onChanged();
  };

  const closeForm = () => {
    setAdding(false);
    setFormClosed(true);
  };

  const add = async (name: string) => {
    const passkey = await confirmed(() => createPasskey(name));
    closeForm();
    toast('success', `Passkey "${passkey.name}" added.`);
    changed();
  };

  const remove = async (passkey: Passkey) => {
    setAsking(null);
    setRemoving(passkey.id);
    try {
      await confirmed(() => removePasskey(passkey.id));
      toast('success', `Passkey "${passkey.name}" removed.`);
      changed();
    } catch (err) {
      if (!isConfirmationCancelled(err)) {
        toast('error', `Could not remove the passkey: ${errorMessage(err)}`);
        reload();
      }
    } finally {
      setRemoving(null);
    }
  };

  return (
    <section className="card" aria-labelledby="passkeys-heading" data-testid="passkeys">
      <h2 id="passkeys-heading" className="card__title">
        Passkeys
      </h2>
      <p className="muted">
        Sign in with your fingerprint, face or screen lock instead of your password. Your device or password manager
        keeps the passkey.
      </p>
      <Loaded loadable={passkeys} loading="Loading passkeys…">
        {(value) =>
          value.length === 0 ? (
            <p className="muted" data-testid="passkeys-empty">
              No passkeys yet.
            </p>
          ) : (
            <ul className="sessions" aria-label="Your passkeys">
              {value.map((passkey) => (
                <PasskeyItem
                  key={passkey.id}
                  passkey={passkey}
                  removing={removing === passkey.id}
                  onRemove={() => setAsking(passkey)}
                />
              ))}
            </ul>
          )
        }
      </Loaded>
      {unavailable ? (
        <p className="notice notice--warning" data-testid="passkeys-unavailable">
          {unavailable}
        </p>
      ) : adding ? (
        <AddPasskeyForm onAdd={add} onCancel={closeForm} />
      ) : (
        <div className="form__actions form__actions--start">
          <button type="button" className="button button--primary" onClick={() => setAdding(true)} autoFocus={formClosed}>
            Add a passkey
          </button>
        </div>
      )}
      {asking ? (
        <ConfirmDialog
          title="Remove this passkey?"
          description={`"${asking.name}" will no longer sign you in. You can also delete it from the device or password manager that keeps it.`}
          confirmLabel="Remove"
          onConfirm={() => void remove(asking)}
          onClose={() => setAsking(null)}
          testId="remove-passkey-dialog"
        />
      ) : null}
      {dialog}
    </section>
  );
}
