import { useId, useState, type FormEvent } from 'react';
import { errorMessage, fieldErrors, problemOf } from '../api/errors';
import { proofProblem, type ProofMethod } from '../lib/proofs';
import { isPasskeyCancelled, passkeyErrorMessage } from '../lib/webauthn';
import { Modal } from './Modal';
import { ProofField } from './ProofField';
import { FormError } from './Field';

interface ProofDialogProps<M extends ProofMethod> {
  title: string;
  description: string;
  /** The methods offered, the first one shown first. */
  methods: readonly [M, ...M[]];
  submitLabel: string;
  busyLabel: string;
  /** Whether what the button does is hard to undo (red). */
  danger?: boolean;
  /** Sends the proof; a refusal (thrown) shows in the dialog, which the caller closes on success. */
  onSubmit: (method: M, value: string) => Promise<void>;
  /**
   * When given, a passkey is offered too: this asks the browser for one and sends it. A refusal
   * shows as `onSubmit`'s does; the person closing the browser's prompt shows nothing.
   */
  onPasskey?: () => Promise<void>;
  onClose: () => void;
  testId?: string;
}

/** A dialog that asks for a password, a code or a passkey and sends it: confirming who is there, turning two-step off. */
export function ProofDialog<M extends ProofMethod>({
  title,
  description,
  methods,
  submitLabel,
  busyLabel,
  danger = false,
  onSubmit,
  onPasskey,
  onClose,
  testId,
}: ProofDialogProps<M>) {
  const [method, setMethod] = useState<M>(methods[0]);
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'typed' | 'passkey' | null>(null);
  const id = useId();

  const switchTo = (next: M) => {
    setMethod(next);
    setValue('');
    setFieldError(null);
    setError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const problem = proofProblem(method, value);
    setFieldError(problem);
    if (problem) return;
    setBusy('typed');
    try {
      await onSubmit(method, value);
    } catch (err) {
      const blamed = fieldErrors(problemOf(err))[method];
      if (blamed) setFieldError(blamed);
      else setError(errorMessage(err));
      setBusy(null);
    }
  };

  const sendPasskey = async (send: () => Promise<void>) => {
    setError(null);
    setFieldError(null);
    setBusy('passkey');
    try {
      await send();
    } catch (err) {
      if (!isPasskeyCancelled(err)) setError(fieldErrors(problemOf(err)).passkey ?? passkeyErrorMessage(err));
      setBusy(null);
    }
  };

  return (
    <Modal title={title} description={description} onClose={onClose} size="sm" testId={testId}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <FormError message={error} />
        <ProofField
          id={id}
          methods={methods}
          method={method}
          onMethodChange={switchTo}
          value={value}
          onChange={setValue}
          error={fieldError}
        />
        {onPasskey ? (
          <button
            type="button"
            className="button button--secondary button--block"
            onClick={() => void sendPasskey(onPasskey)}
            disabled={busy !== null}
          >
            {busy === 'passkey' ? 'Waiting for your passkey…' : 'Use a passkey'}
          </button>
        ) : null}
        <div className="form__actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={`button ${danger ? 'button--danger' : 'button--primary'}`} disabled={busy !== null}>
            {busy === 'typed' ? busyLabel : submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
