import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import * as api from '../api/projects';
import { errorMessage, fieldErrors, problemOf } from '../api/errors';
import type { Invitation, Project, ProjectRole } from '../api/types';
import { formatDate } from '../lib/tasks';
import { projectName, ROLE_LABELS, ROLE_OPTIONS } from '../lib/projects';
import { isOwner, useProjects } from '../stores/projects';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { SelectField, TextField } from './Field';
import { Modal } from './Modal';

interface ShareDialogProps {
  project: Project;
  onClose: () => void;
  /** This person left the project. */
  onLeft: () => void;
}

/** A link made just now: shown with a copy button, since no mail carries it yet. */
interface IssuedLink {
  email: string;
  link: string;
}

function InviteLink({ issued }: { issued: IssuedLink }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const id = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.link);
      setCopied(true);
    } catch {
      // No clipboard here (plain http, a refusal): select it for Ctrl+C instead.
      inputRef.current?.select();
    }
  };

  return (
    <div className="invite-link" role="status" data-testid="invite-link-panel">
      <p>
        No email is sent yet: pass this link on to <strong>{issued.email}</strong>. It works once, for seven days.
      </p>
      <div className="invite-link__row">
        <label htmlFor={id} className="sr-only">
          Invitation link for {issued.email}
        </label>
        <input
          ref={inputRef}
          id={id}
          className="input"
          readOnly
          value={issued.link}
          onFocus={(e) => e.target.select()}
          data-testid="invite-link"
        />
        <button type="button" className="button button--secondary" onClick={() => void copy()} data-testid="copy-link">
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
    </div>
  );
}

/**
 * Who is in a project and who is invited. Owners invite by email with a role (and pass the link
 * on), change roles, remove members, resend and revoke invitations; anyone may leave.
 */
export function ShareDialog({ project, onClose, onLeft }: ShareDialogProps) {
  const me = useSession((s) => s.user?.id);
  const members = useProjects((s) => s.members[project.id]);
  const loadMembers = useProjects((s) => s.loadMembers);
  const changeRole = useProjects((s) => s.changeRole);
  const removeMember = useProjects((s) => s.removeMember);
  const toast = useUi((s) => s.toast);
  const owner = isOwner(project);
  const [invitations, setInvitations] = useState<Invitation[] | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('editor');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedLink | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const name = projectName(project);

  const loadInvitations = useCallback(
    (isLive: () => boolean = () => true) => {
      if (!owner) return;
      api
        .listInvitations(project.id)
        .then((items) => {
          if (isLive()) setInvitations(items);
        })
        .catch((err: unknown) => toast('error', `Could not load the invitations: ${errorMessage(err)}`));
    },
    [owner, project.id, toast],
  );

  useEffect(() => {
    let live = true;
    void loadMembers(project.id, true);
    loadInvitations(() => live);
    return () => {
      live = false;
    };
  }, [project.id, loadMembers, loadInvitations]);

  const onInvite = async (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    if (!address) {
      setError('Enter the email address to invite');
      emailRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const made = await api.invite(project.id, address, role);
      setIssued({ email: made.email, link: made.link ?? '' });
      setEmail('');
      loadInvitations();
    } catch (err) {
      setError(fieldErrors(problemOf(err)).email ?? errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const resend = async (invitation: Invitation) => {
    try {
      const made = await api.resendInvitation(project.id, invitation.id);
      setIssued({ email: made.email, link: made.link ?? '' });
      loadInvitations();
    } catch (err) {
      toast('error', `Could not resend: ${errorMessage(err)}`);
    }
  };

  const revoke = async (invitation: Invitation) => {
    try {
      await api.revokeInvitation(project.id, invitation.id);
      setInvitations((list) => list?.filter((i) => i.id !== invitation.id) ?? null);
      if (issued?.email === invitation.email) setIssued(null);
      toast('success', `The invitation for ${invitation.email} was withdrawn.`);
    } catch (err) {
      toast('error', `Could not revoke: ${errorMessage(err)}`);
    }
  };

  const leave = async () => {
    if (!me) return;
    if (await removeMember(project.id, me)) {
      toast('success', `You left "${name}".`);
      onLeft();
    }
  };

  return (
    <Modal title={`Share "${name}"`} onClose={onClose} initialFocus={owner ? emailRef : undefined} testId="share-dialog">
      {owner ? (
        <form className="form share__invite" onSubmit={(e) => void onInvite(e)} noValidate aria-label="Invite someone">
          <div className="share__invite-row">
            <TextField
              ref={emailRef}
              id={`${id}-email`}
              label="Invite by email"
              type="email"
              autoComplete="off"
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                setError(null);
              }}
              error={error}
            />
            <SelectField id={`${id}-role`} label="Role" value={role} onChange={setRole} options={ROLE_OPTIONS} testId="invite-role" />
          </div>
          <div className="form__actions form__actions--start">
            <button type="submit" className="button button--primary" disabled={busy} data-testid="invite-submit">
              Invite
            </button>
          </div>
        </form>
      ) : null}
      {issued ? <InviteLink key={issued.link} issued={issued} /> : null}

      <section className="share__section" aria-labelledby={`${id}-members`}>
        <h3 id={`${id}-members`} className="share__heading">
          Members
        </h3>
        {members ? (
          <ul className="share__list" data-testid="member-list">
            {members.map((member) => {
              const self = member.userId === me;
              return (
                <li key={member.userId} className="share__item" data-testid="member" data-user-id={member.userId}>
                  <div className="share__who">
                    <span className="share__name">
                      {member.name}
                      {self ? ' (you)' : ''}
                    </span>
                    <span className="share__email">{member.email}</span>
                  </div>
                  {owner ? (
                    <select
                      className="input select share__role"
                      aria-label={`Role of ${member.name}`}
                      value={member.role}
                      onChange={(e) => void changeRole(project.id, member.userId, e.target.value as ProjectRole)}
                      data-testid="member-role"
                    >
                      {ROLE_OPTIONS.map((option) => (
                        <option key={option.value} value={option.value}>
                          {ROLE_LABELS[option.value]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className="badge badge--role" data-testid="member-role">
                      {ROLE_LABELS[member.role]}
                    </span>
                  )}
                  {self ? (
                    <button type="button" className="button button--ghost button--sm button--danger-text" onClick={() => void leave()} data-testid="leave-project">
                      Leave
                    </button>
                  ) : owner ? (
                    <button
                      type="button"
                      className="button button--ghost button--sm button--danger-text"
                      aria-label={`Remove ${member.name}`}
                      onClick={() => void removeMember(project.id, member.userId)}
                      data-testid="remove-member"
                    >
                      Remove
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="muted" role="status">
            Loading members…
          </p>
        )}
      </section>

      {owner ? (
        <section className="share__section" aria-labelledby={`${id}-invitations`}>
          <h3 id={`${id}-invitations`} className="share__heading">
            Invitations
          </h3>
          {invitations === null ? (
            <p className="muted" role="status">
              Loading invitations…
            </p>
          ) : invitations.length === 0 ? (
            <p className="muted">No invitations waiting for an answer.</p>
          ) : (
            <ul className="share__list" data-testid="invitation-list">
              {invitations.map((invitation) => (
                <li key={invitation.id} className="share__item" data-testid="invitation">
                  <div className="share__who">
                    <span className="share__name">{invitation.email}</span>
                    <span className="share__email">
                      {ROLE_LABELS[invitation.role]} ·{' '}
                      {invitation.expired ? 'Expired' : `Expires ${formatDate(invitation.expiresAt)}`}
                    </span>
                  </div>
                  <button
                    type="button"
                    className="button button--ghost button--sm"
                    aria-label={`Resend the invitation for ${invitation.email}`}
                    onClick={() => void resend(invitation)}
                    data-testid="resend-invitation"
                  >
                    Resend
                  </button>
                  <button
                    type="button"
                    className="button button--ghost button--sm button--danger-text"
                    aria-label={`Revoke the invitation for ${invitation.email}`}
                    onClick={() => void revoke(invitation)}
                    data-testid="revoke-invitation"
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
      <div className="form__actions">
        <button type="button" className="button button--secondary" onClick={onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}
