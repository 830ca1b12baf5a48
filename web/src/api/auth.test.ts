import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { login, logout, logoutEverywhere, register, restoreSession, SIGNED_OUT_EVERYWHERE_MESSAGE } from './auth';
import { NETWORK_ERROR } from './errors';
import { useSession } from '../stores/session';
import { envelope, failure, mockApi, resetStores, signIn, USER } from '../test/helpers';

function storageIsEmpty(): boolean {
  return localStorage.length === 0 && sessionStorage.length === 0;
}

describe('session lifecycle', () => {
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
    mock.onPost(/\/auth\/refresh$/).reply(200, envelope({ user: USER, token: 'a1', accessToken: 'a1', refreshToken: 'r1' }));
    await restoreSession();
    const s = useSession.getState();
    expect(s.status).toBe('authenticated');
    expect(s.user).toEqual(USER);
    expect(s.accessToken).toBe('a1');
    expect(storageIsEmpty()).toBe(true);
  });

  it('falls back to signed out, without a message, when there is no session to restore', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(401, failure('No refresh token'));
    await restoreSession();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', user: null, accessToken: null, notice: null });
  });

  it('explains a failed restore when the server cannot be reached', async () => {
    mock.onPost(/\/auth\/refresh$/).networkError();
    await restoreSession();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', notice: NETWORK_ERROR });
  });

  it('signs in and keeps the access token in memory only', async () => {
    mock.onPost(/\/auth\/login$/).reply(200, envelope({ user: USER, token: 't', accessToken: 't', refreshToken: 'r' }));
    useSession.getState().clearSession('Your session has ended. Please sign in again.');
    await login(USER.email, 'password123');
    const s = useSession.getState();
    expect(s).toMatchObject({ status: 'authenticated', accessToken: 't', notice: null });
    expect(storageIsEmpty()).toBe(true);
    expect(JSON.parse(String(mock.history.post?.[0]?.data))).toEqual({ email: USER.email, password: 'password123' });
  });

  it('accepts the MVP token field when accessToken is absent', async () => {
    mock.onPost(/\/auth\/register$/).reply(201, envelope({ user: USER, token: 'legacy' }));
    await register('Ada', USER.email, 'password123');
    expect(useSession.getState().accessToken).toBe('legacy');
  });

  it('leaves the session untouched when sign-in is refused', async () => {
    mock.onPost(/\/auth\/login$/).reply(401, failure('Invalid email or password'));
    useSession.getState().clearSession();
    await expect(login('x@example.com', 'wrong-password')).rejects.toMatchObject({ response: { status: 401 } });
    expect(useSession.getState().status).toBe('anonymous');
  });

  it('logs out on the server and clears the session', async () => {
    signIn('t');
    mock.onPost(/\/auth\/logout$/).reply(200, { success: true });
    await logout();
    expect(mock.history.post?.[0]?.headers?.['X-Requested-With']).toBe('XMLHttpRequest');
    expect(mock.history.post?.[0]?.headers?.Authorization).toBe('Bearer t');
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', accessToken: null, notice: null });
  });

  it('clears the local session even when the logout call fails', async () => {
    signIn('t');
    mock.onPost(/\/auth\/logout$/).reply(500, failure('boom'));
    await logout();
    expect(useSession.getState().status).toBe('anonymous');
  });

  it('logs out everywhere and says so on the sign-in page', async () => {
    signIn('t');
    mock.onPost(/\/auth\/logout-all$/).reply(200, { success: true });
    await logoutEverywhere();
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', notice: SIGNED_OUT_EVERYWHERE_MESSAGE });
  });
});
