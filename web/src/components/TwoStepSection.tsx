import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { beginEnrolment, renewRecoveryCodes, turnOffTwoStep } from '../api/security';
import type { TotpEnrolment, TwoStepStatus } from '../api/types';
import { isConfirmationCancelled } from '../lib/confirmation';
import { factorBody } from '../lib/proofs';
import { formatDate } from '../lib/tasks';
import type { Loadable } from '../lib/useLoadable';
import { useUi } from '../stores/ui';
import { Loaded } from './Loaded';
import { ProofDialog } from './ProofDialog';
import { RecoveryCodes } from './RecoveryCodes';
import { TwoStepSetup } from './TwoStepSetup';
import { useConfirmedAction } from './useConfirmedAction';

/** Few enough recovery codes left to suggest new ones. */
const FEW_CODES_LEFT = 3;
const SECOND_FACTORS = ['code', 'recoveryCode'] as const;

type View =
  | { kind: 'status' }
  | { kind: 'setup'; enrolment: TotpEnrolment }
  | { kind: 'recovery-codes'; codes: string[] };

type Busy = 'set-up' | 'renew' | null;

interface StatusProps {
  status: TwoStepStatus;
  busy: Busy;
  onSetUp: () => void;
  onRenew: () => void;
  onTurnOff: () => void;
}

/** Whether sign-in asks for a code, and what can be done about it. */
function TwoStepStatusView({ status, busy, onSetUp, onRenew, onTurnOff }: StatusProps) {
  if (!status.enabled) {
    return (
      <>
        <p className="muted" data-testid="two-step-status">
          Off. Sign-in asks for your password only. Turn this on to also ask for a code from an authenticator app on
          your phone.
        </p>
        <div className="form__actions form__actions--start">
          <button type="button" className="button button--primary" onClick={onSetUp} disabled={busy !== null}>
            {busy === 'set-up' ? 'Starting…' : 'Set up'}
          </button>
        </div>
      </>
    );
  }
  const left = status.recoveryCodesLeft;
  return (
    <>
      <dl className="details">
        <div>
          <dt>Status</dt>
          <dd data-testid="two-step-status">On{status.enabledAt ? ` since ${formatDate(status.enabledAt)}` : ''}</dd>
        </div>
        <div>
          <dt>Recovery codes</dt>
          <dd data-testid="recovery-codes-left">
            {left === 1 ? '1 code left' : `${left} codes left`}
            {left <= FEW_CODES_LEFT ? <span className="two-step__low"> — make new ones soon</span> : null}
          </dd>
        </div>
      </dl>
      <div className="form__actions form__actions--start">
        <button type="button" className="button button--secondary" onClick={onRenew} disabled={busy !== null}>
          {busy === 'renew' ? 'Making codes…' : 'New recovery codes'}
        </button>
        <button type="button" className="button button--secondary button--danger-text" onClick={onTurnOff}>
          Turn off
        </button>
      </div>
    </>
  );
}

interface TwoStepSectionProps {
  /** Two-step sign-in's state (the account page loads it: the passkeys' confirmations need it too). */
  status: Loadable<TwoStepStatus>;
  reloadStatus: () => void;
  /** Whether the account has a passkey, which may confirm who is there too. */
  hasPasskey: boolean;
  onChanged: () => void;
}

/** Two-step sign-in: its state, setting up an authenticator app, recovery codes, turning it off. */
export function TwoStepSection({ status, reloadStatus, hasPasskey, onChanged }: TwoStepSectionProps) {
  const toast = useUi((s) => s.toast);
  const [view, setView] = useState<View>({ kind: 'status' });
  const [busy, setBusy] = useState<Busy>(null);
  const [turningOff, setTurningOff] = useState(false);
  const { confirmed, dialog } = useConfirmedAction({
    twoStep: status.state === 'ready' && status.value.enabled,
    passkey: hasPasskey,
  });

  const changed = () => {
    reloadStatus();
    onChanged();
  };

  /** Runs an action that needs a recent confirmation, asking for one if it is due. */
  const run = async <T,>(what: Exclude<Busy, null>, action: () => Promise<T>, done: (value: T) => void, failed: string) => {
    setBusy(what);
    try {
      done(await confirmed(action));
    } catch (err) {
      if (!isConfirmationCancelled(err)) {
        toast('error', `${failed}: ${errorMessage(err)}`);
        reloadStatus();
      }
    } finally {
      setBusy(null);
    }
  };

  const setUp = () =>
    void run('set-up', beginEnrolment, (enrolment) => setView({ kind: 'setup', enrolment }), 'Could not start the set-up');

  const renew = () =>
    void run(
      'renew',
      renewRecoveryCodes,
      (codes) => {
        setView({ kind: 'recovery-codes', codes });
        changed();
      },
      'Could not make new recovery codes',
    );

  const turnOff = async (method: (typeof SECOND_FACTORS)[number], value: string) => {
    await turnOffTwoStep(factorBody(method, value));
    setTurningOff(false);
    toast('success', 'Two-step sign-in is off.');
    changed();
  };

  return (
    <section className="card two-step" aria-labelledby="two-step-heading" data-testid="two-step">
      <h2 id="two-step-heading" className="card__title">
        Two-step sign-in
      </h2>
      {view.kind === 'setup' ? (
        <TwoStepSetup
          enrolment={view.enrolment}
          onConfirmed={(codes) => {
            setView({ kind: 'recovery-codes', codes });
            toast('success', 'Two-step sign-in is on.');
            changed();
          }}
          onCancel={() => setView({ kind: 'status' })}
        />
      ) : view.kind === 'recovery-codes' ? (
        <RecoveryCodes codes={view.codes} onDone={() => setView({ kind: 'status' })} />
      ) : (
        <Loaded loadable={status} loading="Loading two-step sign-in…">
          {(value) => (
            <TwoStepStatusView
              status={value}
              busy={busy}
              onSetUp={setUp}
              onRenew={renew}
              onTurnOff={() => setTurningOff(true)}
            />
          )}
        </Loaded>
      )}
      {turningOff ? (
        <ProofDialog
          title="Turn off two-step sign-in?"
          description="Sign-in will ask for your password only. Enter a code from your app, or a recovery code, to confirm."
          methods={SECOND_FACTORS}
          submitLabel="Turn off"
          busyLabel="Turning off…"
          danger
          onSubmit={turnOff}
          onClose={() => setTurningOff(false)}
          testId="turn-off-dialog"
        />
      ) : null}
      {dialog}
    </section>
  );
}
