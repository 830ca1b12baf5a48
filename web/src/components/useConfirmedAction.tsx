import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { reauthenticate } from '../api/security';
import { ConfirmationCancelled, withConfirmation } from '../lib/confirmation';
import { proofBody, type ProofMethod } from '../lib/proofs';
import { ProofDialog } from './ProofDialog';

const PASSWORD_ONLY = ['password'] as const satisfies readonly ProofMethod[];
const ANY_PROOF = ['password', 'code', 'recoveryCode'] as const satisfies readonly ProofMethod[];

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

/**
 * For actions that change how the account signs in. `twoStep`: whether an app code or a recovery
 * code may stand in for the password.
 */
export function useConfirmedAction({ twoStep }: { twoStep: boolean }): ConfirmedActions {
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

  const dialog = asking ? (
    <ProofDialog
      title="Confirm it's you"
      description={
        twoStep
          ? 'Enter your password, or a code, to change how you sign in.'
          : 'Enter your password to change how you sign in.'
      }
      methods={twoStep ? ANY_PROOF : PASSWORD_ONLY}
      submitLabel="Confirm"
      busyLabel="Confirming…"
      onSubmit={async (method, value) => {
        await reauthenticate(proofBody(method, value));
        settle(true);
      }}
      onClose={() => settle(false)}
      testId="reauth-dialog"
    />
  ) : null;

  return { confirmed, dialog };
}
