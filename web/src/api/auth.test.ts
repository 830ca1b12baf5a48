import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import {
  changePassword,
  fetchSessions,
  login,
  logout,
  logoutEverywhere,
  register,
  restoreSession,
  revokeSession,
  SIGNED_OUT_EVERYWHERE_MESSAGE,
} from './auth';
import { NETWORK_ERROR } from './errors';
import { useSession } from '../stores/session';
import { mockApi, problemReply, resetStores, signedIn, signIn, USER } from '../test/helpers';

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
    await login(USER.email, 'password123');
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
