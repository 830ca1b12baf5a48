import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import {
  changePassword,
  fetchSessions,
  finishLogin,
  isExpiredSignIn,
  login,
  loginWithPasskey,
  logout,
  logoutEverywhere,
  register,
  restoreSession,
  revokeSession,
  SIGNED_OUT_EVERYWHERE_MESSAGE,
} from './auth';
import { NETWORK_ERROR } from './errors';
import { useSession } from '../stores/session';
import { mockApi, problemReply, resetStores, secondStepReply, signedIn, signIn, USER } from '../test/helpers';
import { ASSERTED, installWebAuthn, removeWebAuthn, REQUEST_OPTIONS } from '../test/webauthn';

function storageIsEmpty(): boolean {
  return localStorage.length === 0 && sessionStorage.length === 0;
}

function headerOf(config: { headers?: unknown }, name: string): unknown {
  const headers = config.headers as ({ get?: (n: string) => unknown } & Record<string, unknown>) | undefined;
  return headers?.get?.(name) ?? headers?.[name];
}

describe('session lifecycle on API v2', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('starts out restoring', () => {
    expect(useSession.getState().status).toBe('restoring');
  });

  it('restores the session from the refresh cookie', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(200, signedIn('a1'));
    await restoreSession();
    const s = useSession.getState();
    expect(s.status).toBe('authenticated');
    expect(s.user).toEqual(USER);
    expect(s.accessToken).toBe('a1');
    expect(storageIsEmpty()).toBe(true);
  });

  it('falls back to signed out, without a message, when there is no session to restore', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(...problemReply('unauthorized', 'No refresh token provided'));
    await restoreSession();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', user: null, accessToken: null, notice: null });
  });

  it('explains a failed restore when the server cannot be reached', async () => {
    mock.onPost(/\/auth\/refresh$/).networkError();
    await restoreSession();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', notice: NETWORK_ERROR });
  });

  it('signs in with the CSRF header (no refresh token in the body) and keeps the token in memory only', async () => {
    mock.onPost(/\/auth\/login$/).reply(200, signedIn('t'));
    useSession.getState().clearSession('Your session has ended. Please sign in again.');
    await expect(login(USER.email, 'password123')).resolves.toEqual({ status: 'signed-in' });
    const s = useSession.getState();
    expect(s).toMatchObject({ status: 'authenticated', accessToken: 't', notice: null });
    expect(storageIsEmpty()).toBe(true);
    const sent = mock.history.post?.[0];
    expect(sent?.url).toBe('/auth/login');
    expect(JSON.parse(String(sent?.data))).toEqual({ email: USER.email, password: 'password123' });
    expect(headerOf(sent ?? {}, 'X-Requested-With')).toBe('XMLHttpRequest');
  });

  it('registers with the body v2 takes', async () => {
    mock.onPost(/\/auth\/register$/).reply(201, signedIn('fresh'));
    await register('Ada', USER.email, 'password123');
    expect(useSession.getState().accessToken).toBe('fresh');
    expect(JSON.parse(String(mock.history.post?.[0]?.data))).toEqual({ email: USER.email, password: 'password123', name: 'Ada' });
  });

  it('refuses an answer without an access token', async () => {
    mock.onPost(/\/auth\/login$/).reply(200, { user: USER });
    useSession.getState().clearSession();
    await expect(login(USER.email, 'password123')).rejects.toThrow(/no access token/);
    expect(useSession.getState().status).toBe('anonymous');
  });

  it('leaves the session untouched when sign-in is refused', async () => {
    mock.onPost(/\/auth\/login$/).reply(...problemReply('unauthorized', 'Invalid email or password'));
    useSession.getState().clearSession();
    await expect(login('x@example.com', 'wrong-password')).rejects.toMatchObject({ response: { status: 401 } });
    expect(useSession.getState().status).toBe('anonymous');
  });

  it('logs out on the server (204) and clears the session', async () => {
    signIn('t');
    mock.onPost(/\/auth\/logout$/).reply(204);
    await logout();
    expect(headerOf(mock.history.post?.[0] ?? {}, 'X-Requested-With')).toBe('XMLHttpRequest');
    expect(headerOf(mock.history.post?.[0] ?? {}, 'Authorization')).toBe('Bearer t');
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', accessToken: null, notice: null });
  });

  it('clears the local session even when the logout call fails', async () => {
    signIn('t');
    mock.onPost(/\/auth\/logout$/).reply(...problemReply('internal-error', 'boom'));
    await logout();
    expect(useSession.getState().status).toBe('anonymous');
  });

  it('logs out everywhere and says so on the sign-in page', async () => {
    signIn('t');
    mock.onPost(/\/auth\/logout-all$/).reply(200, { endedSessions: 3 });
    await logoutEverywhere();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', notice: SIGNED_OUT_EVERYWHERE_MESSAGE });
  });

  it('lists sessions from the v2 page and ends one by id', async () => {
    signIn('t');
    const session = {
      id: 's1',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUsedAt: '2026-01-02T00:00:00.000Z',
      expiresAt: '2026-02-01T00:00:00.000Z',
      userAgent: 'Firefox',
      ip: '127.0.0.1',
      current: true,
    };
    mock.onGet(/\/auth\/sessions$/).reply(200, { items: [session], nextCursor: null });
    mock.onDelete(/\/auth\/sessions\/s%202$/).reply(204);
    await expect(fetchSessions()).resolves.toEqual([session]);
    await revokeSession('s 2');
    expect(mock.history.delete?.[0]?.url).toBe('/auth/sessions/s%202');
  });

  it('changes the password and tells how many sessions ended', async () => {
    signIn('t');
    mock.onPost(/\/auth\/password$/).reply(200, { endedSessions: 2 });
    await expect(changePassword('old-password', 'new-password-1')).resolves.toBe(2);
    expect(JSON.parse(String(mock.history.post?.[0]?.data))).toEqual({
      currentPassword: 'old-password',
      newPassword: 'new-password-1',
    });
    expect(useSession.getState().accessToken).toBe('t');
  });
});

describe('two-step sign-in', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    useSession.getState().clearSession();
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('answers a right password with the second step, and starts no session yet', async () => {
    mock.onPost(/\/auth\/login$/).reply(...secondStepReply('ch-1'));
    await expect(login(USER.email, 'password123')).resolves.toEqual({
      status: 'second-step',
      step: { challenge: 'ch-1', expiresAt: '2026-12-01T09:35:00.000Z', methods: ['totp', 'recovery-code'] },
    });
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', accessToken: null });
    // A refused sign-in is never taken for an expired access token.
    expect(mock.history.post?.map((r) => r.url)).toEqual(['/auth/login']);
  });

  it('keeps only the methods it knows, and offers both when none is named', async () => {
    mock
      .onPost(/\/auth\/login$/)
      .replyOnce(...problemReply('second-factor-required', 'Code, please', null, { challenge: 'c', methods: ['recovery-code', 'passkey'] }))
      .onPost(/\/auth\/login$/)
      .replyOnce(...problemReply('second-factor-required', 'Code, please', null, { challenge: 'c' }));
    await expect(login(USER.email, 'pw')).resolves.toMatchObject({ step: { methods: ['recovery-code'] } });
    await expect(login(USER.email, 'pw')).resolves.toMatchObject({ step: { methods: ['totp', 'recovery-code'] } });
  });

  it('throws a second-factor problem that carries no challenge, and any other refusal, as it came', async () => {
    mock
      .onPost(/\/auth\/login$/)
      .replyOnce(...problemReply('second-factor-required', 'Code, please'))
      .onPost(/\/auth\/login$/)
      .replyOnce(...problemReply('unauthorized', 'Invalid email or password'));
    await expect(login(USER.email, 'pw')).rejects.toMatchObject({ response: { status: 401 } });
    await expect(login(USER.email, 'pw')).rejects.toMatchObject({
      response: { data: { detail: 'Invalid email or password' } },
    });
  });

  it('finishes with an app code as login does: CSRF header, session in memory', async () => {
    mock.onPost(/\/auth\/login\/second-step$/).reply(200, signedIn('t2'));
    await finishLogin('ch-1', { code: '123456' });
    expect(useSession.getState()).toMatchObject({ status: 'authenticated', accessToken: 't2', user: USER });
    const sent = mock.history.post?.[0];
    expect(JSON.parse(String(sent?.data))).toEqual({ challenge: 'ch-1', code: '123456' });
    expect(headerOf(sent ?? {}, 'X-Requested-With')).toBe('XMLHttpRequest');
    expect(storageIsEmpty()).toBe(true);
  });

  it('finishes with a recovery code', async () => {
    mock.onPost(/\/auth\/login\/second-step$/).reply(200, signedIn('t3'));
    await finishLogin('ch-1', { recoveryCode: 'abcde-fghij' });
    expect(JSON.parse(String(mock.history.post?.[0]?.data))).toEqual({ challenge: 'ch-1', recoveryCode: 'abcde-fghij' });
  });

  it('tells a wrong code (try again) from a sign-in that is over (start again), and never refreshes on either', async () => {
    signIn('someone-else'); // even with a session in memory, a 401 here is about the code
    mock
      .onPost(/\/auth\/login\/second-step$/)
      .replyOnce(...problemReply('unauthorized', 'This code is not valid. Enter the code your app shows now, or a recovery code.'))
      .onPost(/\/auth\/login\/second-step$/)
      .replyOnce(...problemReply('sign-in-expired', 'This sign-in has expired. Please sign in again.'));
    const wrong = await finishLogin('ch-1', { code: '000000' }).catch((err: unknown) => err);
    const expired = await finishLogin('ch-1', { code: '000000' }).catch((err: unknown) => err);
    expect(isExpiredSignIn(wrong)).toBe(false);
    expect(isExpiredSignIn(expired)).toBe(true);
    expect(mock.history.post?.map((r) => r.url)).toEqual(['/auth/login/second-step', '/auth/login/second-step']);
    expect(useSession.getState().accessToken).toBe('someone-else');
  });

  it('does not take too many attempts for an expired sign-in', async () => {
    mock.onPost(/\/auth\/login\/second-step$/).reply(...problemReply('rate-limited', 'Too many attempts.'));
    const err = await finishLogin('ch-1', { code: '000000' }).catch((e: unknown) => e);
    expect(isExpiredSignIn(err)).toBe(false);
  });
});

describe('passkey sign-in on API v2', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    mock = mockApi();
    installWebAuthn();
    mock.onPost(/\/auth\/passkeys\/assertion$/).reply(201, { ceremony: 'as-1', options: REQUEST_OPTIONS });
  });
  afterEach(() => {
    mock.restore();
    removeWebAuthn();
  });

  it('answers the ceremony with a passkey and signs in as login does: CSRF header, session in memory', async () => {
    mock.onPost(/\/auth\/login\/passkey$/).reply(200, signedIn('pk-token'));
    await loginWithPasskey();
    expect(useSession.getState()).toMatchObject({ status: 'authenticated', accessToken: 'pk-token', user: USER });
    const sent = mock.history.post?.[1];
    expect(sent?.url).toBe('/auth/login/passkey');
    expect(JSON.parse(String(sent?.data))).toEqual({ ceremony: 'as-1', credential: ASSERTED });
    expect(headerOf(sent ?? {}, 'X-Requested-With')).toBe('XMLHttpRequest');
    expect(storageIsEmpty()).toBe(true);
  });

  it('takes a refused passkey as a refusal, never as an expired token to refresh', async () => {
    signIn('someone-else');
    mock.onPost(/\/auth\/login\/passkey$/).reply(...problemReply('unauthorized', 'This passkey could not sign you in.'));
    await expect(loginWithPasskey()).rejects.toMatchObject({ response: { status: 401 } });
    expect(mock.history.post?.map((r) => r.url)).toEqual(['/auth/passkeys/assertion', '/auth/login/passkey']);
    expect(useSession.getState().accessToken).toBe('someone-else');
  });
});
