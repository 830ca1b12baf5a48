import { useState } from 'react';
import { loginWithPasskey } from '../api/auth';
import { isPasskeyCancelled, passkeyErrorMessage } from '../lib/webauthn';
import { FormError } from './Field';

/**
 * "Sign in with a passkey", under the sign-in form: no email needed, the browser offers this
 * site's passkeys. Once signed in the route guard moves the person on, so the button stays busy.
 */
export function PasskeySignIn() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      await loginWithPasskey();
    } catch (err) {
      if (!isPasskeyCancelled(err)) setError(passkeyErrorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="passkey-sign-in">
      <p className="passkey-sign-in__or">or</p>
      <FormError message={error} testId="passkey-error" />
      <button type="button" className="button button--secondary button--block" onClick={() => void signIn()} disabled={busy}>
        {busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
    </div>
  );
}
