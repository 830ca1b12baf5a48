import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { errorMessage, fieldErrors, problemOf } from '../api/errors';
import { confirmEnrolment } from '../api/security';
import type { TotpEnrolment } from '../api/types';
import { appCode, proofProblem } from '../lib/proofs';
import { formatDateTime } from '../lib/tasks';
import { CopyButton } from './CopyButton';
import { ProofField } from './ProofField';
import { QrCode } from './QrCode';
import { FormError, SubmitOrCancel } from './Field';

const APP_CODE = ['code'] as const;

/** A base32 secret in groups of four, as it is easiest to type: "JBSW Y3DP …". */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

interface TwoStepSetupProps {
  enrolment: TotpEnrolment;
  /** The app's first code turned two-step sign-in on: here are the recovery codes. */
  onConfirmed: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}

/** Setting up an authenticator app: its QR code (or the key to type), then its first code. */
export function TwoStepSetup({ enrolment, onConfirmed, onCancel }: TwoStepSetupProps) {
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const secretRef = useRef<HTMLElement>(null);
  const id = useId();
  useEffect(() => headingRef.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const problem = proofProblem('code', code);
    setFieldError(problem);
    if (problem) return;
    setBusy(true);
    try {
      onConfirmed(await confirmEnrolment(appCode(code)));
    } catch (err) {
      const blamed = fieldErrors(problemOf(err)).code;
      if (blamed) setFieldError(blamed);
      else setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="two-step__panel" data-testid="two-step-setup">
      <h3 ref={headingRef} tabIndex={-1} className="two-step__heading">
        Set up your authenticator app
      </h3>
      <p className="muted">
        Scan the QR code with an authenticator app on your phone, or type the key into it. Then enter the code it shows.
      </p>
      <div className="totp-setup">
        <QrCode text={enrolment.uri} label="QR code to add TaskMaster to your authenticator app" />
        <div className="totp-setup__key">
          <p className="field__label">Can&apos;t scan it? Type this key:</p>
          <code ref={secretRef} className="totp-setup__secret" data-testid="totp-secret">
            {grouped(enrolment.secret)}
          </code>
          <CopyButton text={enrolment.secret} label="Copy key" fallback={secretRef} />
        </div>
      </div>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <FormError message={error} />
        <ProofField
          id={id}
          methods={APP_CODE}
          method="code"
          onMethodChange={() => undefined}
          value={code}
          onChange={setCode}
          error={fieldError}
        />
        <p className="field__hint">This set-up expires at {formatDateTime(enrolment.expiresAt)}.</p>
        <SubmitOrCancel label="Turn on" busyLabel="Turning on…" busy={busy} onCancel={onCancel} />
      </form>
    </div>
  );
}
