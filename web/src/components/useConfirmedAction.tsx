import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { passkeyAnswer } from '../api/passkeys';
import { reauthenticate } from '../api/security';
import { ConfirmationCancelled, withConfirmation } from '../lib/confirmation';
import { confirmationWording, proofBody, type ProofMethod } from '../lib/proofs';
import { passkeysUnavailable } from '../lib/webauthn';
import { ProofDialog } from './ProofDialog';

const PASSWORD_ONLY = ['password'] as const satisfies readonly ProofMethod[];
const ANY_PROOF = ['password', 'code', 'recoveryCode'] as const satisfies readonly ProofMethod[];

/** What the account has besides its password, that may confirm who is there. */
export interface AccountProofs {
  /** Two-step sign-in is on: an app code or a recovery code. */
  twoStep: boolean;
  /** The account has a passkey (offered where the browser can use one). */
  passkey?: boolean;
}

interface Waiting {
  resolve: () => void;
  reject: (reason: ConfirmationCancelled) => void;
}

export interface ConfirmedActions {
  /**
   * Runs `action`; if the API wants this session to confirm who is there first, asks (the
   * dialog), confirms and runs it once more. Rejects with ConfirmationCancelled if the person
   * closes the dialog.
   */
  confirmed: <T>(action: () => Promise<T>) => Promise<T>;
  /** The "confirm it's you" dialog while it is open: render it somewhere. */
  dialog: ReactNode;
}

/** For actions that change how the account signs in; what the account has may stand in for the password. */
export function useConfirmedAction({ twoStep, passkey = false }: AccountProofs): ConfirmedActions {
  const [asking, setAsking] = useState(false);
  const waiting = useRef<Waiting | null>(null);

  const settle = useCallback((confirmed: boolean) => {
    const current = waiting.current;
    waiting.current = null;
    setAsking(false);
    if (confirmed) current?.resolve();
    else current?.reject(new ConfirmationCancelled());
  }, []);

  // Leaving the page gives up on whatever was waiting.
  useEffect(() => () => waiting.current?.reject(new ConfirmationCancelled()), []);

  const ask = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        waiting.current?.reject(new ConfirmationCancelled());
        waiting.current = { resolve, reject };
        setAsking(true);
      }),
    [],
  );

  const confirmed = useCallback(<T,>(action: () => Promise<T>) => withConfirmation(action, ask), [ask]);

  const withPasskey = passkey && passkeysUnavailable() === null;
  const dialog = asking ? (
    <ProofDialog
      title="Confirm it's you"
      description={confirmationWording(twoStep, withPasskey)}
      methods={twoStep ? ANY_PROOF : PASSWORD_ONLY}
      submitLabel="Confirm"
      busyLabel="Confirming…"
      onSubmit={async (method, value) => {
        await reauthenticate(proofBody(method, value));
        settle(true);
      }}
      onPasskey={
        withPasskey
          ? async () => {
              await reauthenticate({ passkey: await passkeyAnswer() });
              settle(true);
            }
          : undefined
      }
      onClose={() => settle(false)}
      testId="reauth-dialog"
    />
  ) : null;

  return { confirmed, dialog };
}
