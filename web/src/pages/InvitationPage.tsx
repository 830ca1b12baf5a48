import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { logout } from '../api/auth';
import { errorMessage, statusOf } from '../api/errors';
import { acceptInvitation, declineInvitation, lookUpInvitation } from '../api/projects';
import type { InvitationView } from '../api/types';
import { AuthLayout } from '../components/AuthLayout';
import { Splash } from '../components/Splash';
import { ROLE_LABELS } from '../lib/projects';
import { formatDate } from '../lib/tasks';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useProjects } from '../stores/projects';
import { useSession } from '../stores/session';

type Lookup = { state: 'loading' } | { state: 'ready'; invitation: InvitationView } | { state: 'error'; message: string };

const ANSWERED: Record<Exclude<InvitationView['status'], 'pending'>, string> = {
  expired: 'This invitation has expired. Ask the project’s owner for a new link.',
  accepted: 'This invitation has already been accepted.',
  declined: 'This invitation was declined.',
  revoked: 'This invitation was withdrawn by the project’s owner.',
};

/**
 * What an invitation link invites to, for anyone holding it. Signed out: sign in or sign up, then
 * back here. Signed in with the invited address: accept (on to the project) or decline.
 */
export default function InvitationPage() {
  useDocumentTitle('Invitation');
  const { token = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const status = useSession((s) => s.status);
  const user = useSession((s) => s.user);
  const adopt = useProjects((s) => s.adopt);
  const [lookup, setLookup] = useState<Lookup>({ state: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [declined, setDeclined] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    lookUpInvitation(token, controller.signal)
      .then((invitation) => setLookup({ state: 'ready', invitation }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const message = statusOf(err) === 404 ? 'This invitation link is not valid.' : errorMessage(err);
        setLookup({ state: 'error', message });
      });
    return () => controller.abort();
  }, [token]);

  if (status === 'restoring' || lookup.state === 'loading') return <Splash />;

  if (lookup.state === 'error') {
    return (
      <AuthLayout title="Invitation" subtitle="Something is wrong with this link.">
        <div className="form-error" role="alert" data-testid="invitation-error">
          {lookup.message}
        </div>
        <p className="auth-card__switch">
          <Link to="/dashboard">Go to TaskMaster</Link>
        </p>
      </AuthLayout>
    );
  }

  const { invitation } = lookup;
  const from = { from: location };
  const wrongAccount = user && user.email.toLowerCase() !== invitation.email.toLowerCase();

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const project = await acceptInvitation(token);
      adopt(project);
      void navigate(`/projects/${project.id}`, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const decline = async () => {
    setBusy(true);
    setError(null);
    try {
      await declineInvitation(token);
      setDeclined(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title={`Join “${invitation.projectName}”`}
      subtitle={`${invitation.inviterName ?? 'Someone'} invites you to this project as ${ROLE_LABELS[invitation.role].toLowerCase()}.`}
    >
      <dl className="details invitation__details" data-testid="invitation-details">
        <div>
          <dt>Project</dt>
          <dd data-testid="invitation-project">{invitation.projectName}</dd>
        </div>
        <div>
          <dt>For</dt>
          <dd data-testid="invitation-email">{invitation.email}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{ROLE_LABELS[invitation.role]}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd>{formatDate(invitation.expiresAt)}</dd>
        </div>
      </dl>

      {error ? (
        <div className="form-error" role="alert" data-testid="form-error">
          {error}
        </div>
      ) : null}

      {declined ? (
        <div className="notice" role="status" data-testid="invitation-declined">
          You declined the invitation. <Link to="/dashboard">Go to your tasks</Link>
        </div>
      ) : invitation.status !== 'pending' ? (
        <div className="notice" role="status" data-testid="invitation-answered">
          {ANSWERED[invitation.status]} <Link to="/dashboard">Go to TaskMaster</Link>
        </div>
      ) : !user ? (
        <div className="invitation__actions" data-testid="invitation-signed-out">
          <p>Sign in as {invitation.email} to answer, or create an account with that address.</p>
          <Link className="button button--primary button--block" to="/login" state={from}>
            Sign in to accept
          </Link>
          <Link className="button button--secondary button--block" to="/register" state={from}>
            Create an account
          </Link>
        </div>
      ) : wrongAccount ? (
        <div className="invitation__actions" data-testid="invitation-wrong-account">
          <p className="form-error" role="alert">
            This invitation is for {invitation.email}, but you are signed in as {user.email}.
          </p>
          <button type="button" className="button button--secondary button--block" onClick={() => void logout()}>
            Sign out to use another account
          </button>
        </div>
      ) : (
        <div className="invitation__actions">
          <button
            type="button"
            className="button button--primary button--block"
            onClick={() => void accept()}
            disabled={busy}
            data-testid="accept-invitation"
          >
            Accept and open the project
          </button>
          <button
            type="button"
            className="button button--secondary button--block"
            onClick={() => void decline()}
            disabled={busy}
            data-testid="decline-invitation"
          >
            Decline
          </button>
        </div>
      )}
    </AuthLayout>
  );
}
