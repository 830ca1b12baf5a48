import { useId, useState, type FormEvent } from 'react';
import { errorMessage, fieldErrors, problemOf } from '../api/errors';
import { proofProblem, type ProofMethod } from '../lib/proofs';
import { Modal } from './Modal';
import { ProofField } from './ProofField';

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
  onClose: () => void;
  testId?: string;
}

/** A dialog that asks for a password or a code and sends it: confirming who is there, turning two-step off. */
export function ProofDialog<M extends ProofMethod>({
  title,
  description,
  methods,
  submitLabel,
  busyLabel,
  danger = false,
  onSubmit,
  onClose,
  testId,
}: ProofDialogProps<M>) {
  const [method, setMethod] = useState<M>(methods[0]);
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
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
    setBusy(true);
    try {
      await onSubmit(method, value);
    } catch (err) {
      const blamed = fieldErrors(problemOf(err))[method];
      if (blamed) setFieldError(blamed);
      else setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Modal title={title} description={description} onClose={onClose} size="sm" testId={testId}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        <ProofField
          id={id}
          methods={methods}
          method={method}
          onMethodChange={switchTo}
          value={value}
          onChange={setValue}
          error={fieldError}
        />
        <div className="form__actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={`button ${danger ? 'button--danger' : 'button--primary'}`} disabled={busy}>
            {busy ? busyLabel : submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
