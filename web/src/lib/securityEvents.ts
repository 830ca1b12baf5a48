import type { SecurityEvent } from '../api/types';

export interface EventDescription {
  /** What happened, as a sentence: "Signed in with password and app code". */
  summary: string;
  /** Whether it may be someone else at work (a failed attempt, a stolen token): shown apart. */
  alert: boolean;
}

/** How a proof was given, as the log's `method` names it. */
const BY_METHOD: Record<string, string> = {
  password: 'password',
  totp: 'app code',
  'recovery-code': 'recovery code',
  'password+totp': 'password and app code',
  'password+recovery-code': 'password and recovery code',
  passkey: 'a passkey',
};

/** A refused proof, where "wrong …" does not say it: a passkey is not typed in. */
const REFUSED: Record<string, string> = {
  passkey: 'passkey not accepted',
};

/** Why sessions ended, as the log's `reason` names it. */
const ENDED_BECAUSE: Record<string, string> = {
  logout: 'Signed out',
  revoked: 'Signed out',
  ended: 'Session revoked',
  'logout-all': 'Signed out everywhere',
  'password-change': 'Other sessions signed out after the password change',
  'account-deleted': 'Signed out: account deleted',
};

function text(detail: SecurityEvent['detail'], name: string): string | null {
  const value = detail[name];
  return typeof value === 'string' ? value : null;
}

function count(detail: SecurityEvent['detail'], name: string): number | null {
  const value = detail[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** " with password and app code", or nothing for a method this app does not know. */
function withMethod(detail: SecurityEvent['detail']): string {
  const method = BY_METHOD[text(detail, 'method') ?? ''];
  return method ? ` with ${method}` : '';
}

/** "Failed sign-in: wrong app code", "Failed sign-in: passkey not accepted". */
function wrongMethod(detail: SecurityEvent['detail']): string {
  const name = text(detail, 'method') ?? '';
  const method = BY_METHOD[name];
  if (!method) return '';
  return `: ${REFUSED[name] ?? `wrong ${method}`}`;
}

/** ' "Work laptop"', the name a passkey was given, or nothing. */
function passkeyName(detail: SecurityEvent['detail']): string {
  const name = text(detail, 'name');
  return name ? ` "${name}"` : '';
}

function sessionsEnded(detail: SecurityEvent['detail']): string {
  const reason = ENDED_BECAUSE[text(detail, 'reason') ?? ''] ?? 'Session ended';
  const sessions = count(detail, 'sessions');
  return sessions !== null && sessions > 1 ? `${reason} (${plural(sessions, 'session')})` : reason;
}

/** A security log entry as a sentence for its owner. */
export function describeSecurityEvent(event: Pick<SecurityEvent, 'kind' | 'detail'>): EventDescription {
  const { detail } = event;
  const plain = (summary: string): EventDescription => ({ summary, alert: false });
  const alarming = (summary: string): EventDescription => ({ summary, alert: true });
  switch (event.kind) {
    case 'sign-in':
      return plain(text(detail, 'method') === 'registration' ? 'Account created' : `Signed in${withMethod(detail)}`);
    case 'sign-in-failed':
      return alarming(`Failed sign-in${wrongMethod(detail)}`);
    case 'reauthenticated':
      return plain(`Confirmed it was you${withMethod(detail)}`);
    case 'reauthentication-failed':
      return alarming(`Failed confirmation${wrongMethod(detail)}`);
    case 'refresh-token-reused':
      return alarming('A used sign-in token came back: that sign-in was ended on every device');
    case 'session-ended':
      return plain(sessionsEnded(detail));
    case 'password-changed':
      return plain('Password changed');
    case 'totp-enabled':
      return plain('Two-step sign-in turned on');
    case 'totp-disabled':
      return plain('Two-step sign-in turned off');
    case 'recovery-codes-renewed':
      return plain('New recovery codes made; the old ones stopped working');
    case 'passkey-added':
      return plain(`Passkey${passkeyName(detail)} added`);
    case 'passkey-removed':
      return plain(`Passkey${passkeyName(detail)} removed`);
    case 'recovery-code-used': {
      const left = count(detail, 'left');
      return plain(left === null ? 'Recovery code used' : `Recovery code used (${plural(left, 'code')} left)`);
    }
    default:
      // A kind newer than this app: say so plainly rather than hide it.
      return plain(`Security event: ${event.kind.replace(/-/g, ' ')}`);
  }
}
