import { useCallback, useId, useState, type FormEvent } from 'react';
import { changePassword, fetchProfile, fetchSessions, logout, logoutEverywhere, revokeSession } from '../api/auth';
import { errorMessage, fieldErrors, problemOf } from '../api/errors';
import { fetchPasskeys } from '../api/passkeys';
import { fetchTwoStep } from '../api/security';
import type { SessionInfo } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { TextField } from '../components/Field';
import { Loaded } from '../components/Loaded';
import { PasskeysSection } from '../components/PasskeysSection';
import { SecurityLogSection } from '../components/SecurityLogSection';
import { TwoStepSection } from '../components/TwoStepSection';
import { formatDate, formatDateTime } from '../lib/tasks';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useLoadable } from '../lib/useLoadable';
import { describeUserAgent } from '../lib/userAgent';
import { PASSWORD_MIN } from '../lib/validation';
import { useUi } from '../stores/ui';

function ProfileSection() {
  const [profile] = useLoadable(fetchProfile);

  return (
    <section className="card" aria-labelledby="profile-heading" data-testid="profile">
      <h2 id="profile-heading" className="card__title">
        Profile
      </h2>
      <Loaded loadable={profile} loading="Loading profile…">
        {(value) => (
          <dl className="details">
            <div>
              <dt>Name</dt>
              <dd data-testid="profile-name">{value.name}</dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd data-testid="profile-email">{value.email}</dd>
            </div>
            <div>
              <dt>Member since</dt>
              <dd>{formatDate(value.createdAt)}</dd>
            </div>
          </dl>
        )}
      </Loaded>
    </section>
  );
}

function PasswordSection({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [success, setSuccess] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const id = useId();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSuccess(null);
    setErrors({});
    if (!current || !next) return setError('Please provide your current and new password');
    if (next.length < PASSWORD_MIN) return setError(`Password must be at least ${PASSWORD_MIN} characters long`);
    if (next !== confirm) return setError('The new passwords do not match');
    setSubmitting(true);
    setError(null);
    try {
      await changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setSuccess('Password changed. Your other sessions have been signed out.');
      onChanged();
    } catch (err) {
      const blamed = fieldErrors(problemOf(err));
      const shown = ['currentPassword', 'newPassword'];
      setErrors(blamed);
      setError(
        Object.keys(blamed).length > 0 && Object.keys(blamed).every((name) => shown.includes(name))
          ? 'Please correct the highlighted fields.'
          : errorMessage(err),
      );
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading" className="card__title">
        Change password
      </h2>
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="password-form">
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        {success ? (
          <div className="notice notice--success" role="status">
            {success}
          </div>
        ) : null}
        <TextField
          id={`${id}-current`}
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={errors.currentPassword}
        />
        <div className="form__row">
          <TextField
            id={`${id}-new`}
            label="New password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            error={errors.newPassword}
          />
          <TextField
            id={`${id}-confirm`}
            label="Confirm new password"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </div>
        <div className="form__actions form__actions--start">
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** This device first, then the most recently used. */
async function sortedSessions(signal: AbortSignal): Promise<SessionInfo[]> {
  const sessions = await fetchSessions(signal);
  return [...sessions].sort(
    (a, b) =>
      Number(b.current) - Number(a.current) ||
      Date.parse(b.lastUsedAt ?? b.createdAt) - Date.parse(a.lastUsedAt ?? a.createdAt),
  );
}

function SessionsSection({ reloadKey }: { reloadKey: number }) {
  const toast = useUi((s) => s.toast);
  const [sessions, setSessions, reload] = useLoadable(sortedSessions, reloadKey);
  const [revoking, setRevoking] = useState<Record<string, boolean>>({});

  const revoke = async (session: SessionInfo) => {
    setRevoking((r) => ({ ...r, [session.id]: true }));
    try {
      await revokeSession(session.id);
      setSessions((s) => (s.state === 'ready' ? { state: 'ready', value: s.value.filter((x) => x.id !== session.id) } : s));
      toast('success', 'Session revoked.');
    } catch (err) {
      toast('error', `Could not revoke the session: ${errorMessage(err)}`);
    } finally {
      setRevoking((r) => ({ ...r, [session.id]: false }));
    }
  };

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <div className="card__header">
        <h2 id="sessions-heading" className="card__title">
          Active sessions
        </h2>
        <button type="button" className="button button--ghost button--sm" onClick={reload}>
          Refresh
        </button>
      </div>
      <Loaded loadable={sessions} loading="Loading sessions…">
        {(value) =>
          value.length === 0 ? (
            <p className="muted">No active sessions.</p>
          ) : (
            <ul className="sessions" data-testid="sessions">
              {value.map((session) => {
                const device = describeUserAgent(session.userAgent);
                return (
                  <li
                    key={session.id}
                    className={`session${session.current ? ' session--current' : ''}`}
                    data-testid="session-item"
                    data-current={session.current}
                  >
                    <div className="session__info">
                      <p className="session__device">
                        {device}
                        {session.current ? <span className="badge badge--current">This device</span> : null}
                      </p>
                      <p className="session__meta">
                        {session.ip ? <span>{session.ip}</span> : null}
                        <span>Signed in {formatDateTime(session.createdAt)}</span>
                        {session.lastUsedAt ? <span>Last active {formatDateTime(session.lastUsedAt)}</span> : null}
                        <span>Expires {formatDate(session.expiresAt)}</span>
                      </p>
                    </div>
                    {session.current ? null : (
                      <button
                        type="button"
                        className="button button--secondary button--sm"
                        onClick={() => void revoke(session)}
                        disabled={revoking[session.id]}
                        aria-label={`Revoke session: ${device}, signed in ${formatDateTime(session.createdAt)}`}
                        data-testid="session-revoke"
                      >
                        {revoking[session.id] ? 'Revoking…' : 'Revoke'}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function SignOutSection() {
  const toast = useUi((s) => s.toast);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const everywhere = async () => {
    setBusy(true);
    try {
      await logoutEverywhere();
    } catch (err) {
      toast('error', `Could not sign out everywhere: ${errorMessage(err)}`);
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <section className="card" aria-labelledby="signout-heading">
      <h2 id="signout-heading" className="card__title">
        Sign out
      </h2>
      <p className="muted">Sign out of this browser, or end every session on every device.</p>
      <div className="form__actions form__actions--start">
        <button type="button" className="button button--secondary" onClick={() => void logout()} data-testid="account-logout">
          Log out
        </button>
        <button type="button" className="button button--danger" onClick={() => setConfirming(true)} data-testid="logout-all">
          Log out everywhere
        </button>
      </div>
      {confirming ? (
        <ConfirmDialog
          title="Log out everywhere?"
          description="Every session, including this one, will be signed out."
          confirmLabel="Log out everywhere"
          busy={busy}
          busyLabel="Signing out…"
          onConfirm={() => void everywhere()}
          onClose={() => setConfirming(false)}
          testId="logout-all-dialog"
          confirmTestId="confirm-logout-all"
        />
      ) : null}
    </section>
  );
}

export default function AccountPage() {
  useDocumentTitle('Account');
  const [sessionsKey, setSessionsKey] = useState(0);
  const [securityKey, setSecurityKey] = useState(0);
  const reloadSecurityLog = useCallback(() => setSecurityKey((k) => k + 1), []);
  // Loaded here, not in their sections: confirming who is there before a change offers a code
  // once two-step sign-in is on, and a passkey once there is one, in either section.
  const [twoStep, , reloadTwoStep] = useLoadable(fetchTwoStep);
  const [passkeys, , reloadPasskeys] = useLoadable(fetchPasskeys);
  // A new password ends the other sessions: both lists change.
  const passwordChanged = useCallback(() => {
    setSessionsKey((k) => k + 1);
    reloadSecurityLog();
  }, [reloadSecurityLog]);
  return (
    <div className="page account">
      <div className="page__header">
        <div>
          <h1 className="page__title">Account</h1>
          <p className="page__subtitle">Your profile, how you sign in, your signed-in devices and security activity.</p>
        </div>
      </div>
      <div className="account__grid">
        <ProfileSection />
        <PasswordSection onChanged={passwordChanged} />
        <TwoStepSection
          status={twoStep}
          reloadStatus={reloadTwoStep}
          hasPasskey={passkeys.state === 'ready' && passkeys.value.length > 0}
          onChanged={reloadSecurityLog}
        />
        <PasskeysSection
          passkeys={passkeys}
          reload={reloadPasskeys}
          twoStep={twoStep.state === 'ready' && twoStep.value.enabled}
          onChanged={reloadSecurityLog}
        />
        <SessionsSection reloadKey={sessionsKey} />
        <SecurityLogSection reloadKey={securityKey} />
        <SignOutSection />
      </div>
    </div>
  );
}
