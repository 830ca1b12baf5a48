import { isAxiosError } from 'axios';
import { api } from './client';
import { adoptSignedIn, refreshAccessToken, XHR_HEADER } from './http';
import type { Profile, SecondFactor, SessionInfo } from './types';
import { useSession } from '../stores/session';
import { isProblem, NETWORK_ERROR, problemMembers } from './errors';
import { passkeyAnswer } from './passkeys';

export const SIGNED_OUT_EVERYWHERE_MESSAGE = 'You have been signed out on every device.';

// Sign-in and sign-up send the CSRF header too: the API then keeps the refresh token out of the
// body, and the httpOnly cookie (on /api/v2/auth) is its only copy.

/** The second factors a sign-in's second step takes, as the API names them. */
export type SecondStepMethod = 'totp' | 'recovery-code';

/** A sign-in whose password was right, waiting for a second factor (two-step sign-in is on). */
export interface SecondStep {
  /** Single-use; finishes the sign-in with a code (`finishLogin`) until `expiresAt`. */
  challenge: string;
  expiresAt: string;
  methods: SecondStepMethod[];
}

export type LoginResult = { status: 'signed-in' } | { status: 'second-step'; step: SecondStep };

const SECOND_STEP_METHODS: readonly SecondStepMethod[] = ['totp', 'recovery-code'];

/** The second step a refused sign-in asks for (401 second-factor-required), if that is what it was. */
export function secondStepOf(err: unknown): SecondStep | null {
  if (!isProblem(err, 'second-factor-required')) return null;
  const { challenge, expiresAt, methods } = problemMembers(err);
  if (typeof challenge !== 'string' || !challenge) return null;
  const named = Array.isArray(methods) ? SECOND_STEP_METHODS.filter((m) => methods.includes(m)) : [];
  return {
    challenge,
    expiresAt: typeof expiresAt === 'string' ? expiresAt : '',
    // An answer that names none of the methods this app knows: offer both, the server decides.
    methods: named.length > 0 ? named : [...SECOND_STEP_METHODS],
  };
}

/**
 * Signs in with email and password. With two-step sign-in on, a right password starts no session
 * yet: the result is the second step, to finish with `finishLogin`.
 */
export async function login(email: string, password: string): Promise<LoginResult> {
  try {
    const { data } = await api.post('/auth/login', { body: { email, password }, headers: XHR_HEADER });
    adoptSignedIn(data);
    return { status: 'signed-in' };
  } catch (err) {
    const step = secondStepOf(err);
    if (step) return { status: 'second-step', step };
    throw err;
  }
}

/** Finishes a two-step sign-in with an app code or a recovery code; starts the session as login does. */
export async function finishLogin(challenge: string, factor: SecondFactor): Promise<void> {
  const { data } = await api.post('/auth/login/second-step', {
    body: { challenge, ...factor },
    headers: XHR_HEADER,
  });
  adoptSignedIn(data);
}

/**
 * Whether a second step failed because the sign-in itself is over (it expired, was finished
 * elsewhere, or the password changed since): only a new sign-in helps then, not another code.
 */
export function isExpiredSignIn(err: unknown): boolean {
  return isProblem(err, 'sign-in-expired');
}

/**
 * Signs in with a passkey: the browser asks which of this site's passkeys, and the API starts the
 * session as `login` does. A passkey is both factors: no second step follows.
 */
export async function loginWithPasskey(): Promise<void> {
  const answer = await passkeyAnswer();
  const { data } = await api.post('/auth/login/passkey', { body: answer, headers: XHR_HEADER });
  adoptSignedIn(data);
}

export async function register(name: string, email: string, password: string): Promise<void> {
  const { data } = await api.post('/auth/register', { body: { email, password, name }, headers: XHR_HEADER });
  adoptSignedIn(data);
}

/** Restores the session on page load from the httpOnly refresh cookie. */
export async function restoreSession(): Promise<void> {
  try {
    await refreshAccessToken();
  } catch (err) {
    const offline = isAxiosError(err) && !err.response;
    useSession.getState().clearSession(offline ? NETWORK_ERROR : null);
  }
}

/** Ends this session on the server (best effort) and forgets it locally. */
export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout', { headers: XHR_HEADER });
  } catch {
    // The local session ends regardless; the refresh cookie expires on its own.
  } finally {
    useSession.getState().clearSession();
  }
}

export async function logoutEverywhere(): Promise<void> {
  await api.post('/auth/logout-all', { headers: XHR_HEADER });
  useSession.getState().clearSession(SIGNED_OUT_EVERYWHERE_MESSAGE);
}

export async function fetchProfile(signal?: AbortSignal): Promise<Profile> {
  const { data } = await api.get('/auth/profile', { signal });
  return data;
}

export async function fetchSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  const { data } = await api.get('/auth/sessions', { signal });
  return data.items;
}

export async function revokeSession(sessionId: string): Promise<void> {
  await api.delete('/auth/sessions/{sessionId}', { path: { sessionId }, headers: XHR_HEADER });
}

/** Sets a new password; every other session ends. Returns how many did. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<number> {
  const { data } = await api.post('/auth/password', { body: { currentPassword, newPassword }, headers: XHR_HEADER });
  return data.endedSessions;
}
