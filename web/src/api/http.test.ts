import type { AxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { http, pendingRefresh, refreshAccessToken, API_BASE } from './http';
import { SESSION_ENDED_MESSAGE, useSession } from '../stores/session';
import { deferred, mockApi, problemReply, resetStores, signedIn, signIn } from '../test/helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bearer(config: AxiosRequestConfig): string | undefined {
  const headers = config.headers as { get?: (name: string) => unknown; Authorization?: unknown } | undefined;
  const value = headers?.get?.('Authorization') ?? headers?.Authorization;
  return typeof value === 'string' ? value.replace(/^Bearer /, '') : undefined;
}

function header(config: AxiosRequestConfig, name: string): unknown {
  const headers = config.headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  return headers.get?.(name) ?? headers[name];
}

const refreshed = signedIn('new');

describe('API base', () => {
  it('defaults to /api/v2', () => {
    expect(API_BASE).toBe('/api/v2');
    expect(http.defaults.withCredentials).toBe(true);
  });

  it('refreshes on v2 (where the cookie lives), with the CSRF header and no body', async () => {
    resetStores();
    const mock = mockApi();
    mock.onPost(/\/auth\/refresh$/).reply((config) => {
      expect(`${config.baseURL ?? ''}${config.url ?? ''}`).toBe('/api/v2/auth/refresh');
      expect(header(config, 'X-Requested-With')).toBe('XMLHttpRequest');
      expect(config.data).toBeUndefined();
      return [200, signedIn('fresh')];
    });
    await expect(refreshAccessToken()).resolves.toBe('fresh');
    expect(useSession.getState()).toMatchObject({ status: 'authenticated', accessToken: 'fresh' });
    mock.restore();
  });
});

describe('401 handling in the axios interceptor', () => {
  let mock: MockAdapter;
  let refreshCalls: number;
  /** Access tokens each task request was sent with, by task id. */
  let sent: Record<string, (string | undefined)[]>;

  beforeEach(() => {
    resetStores();
    mock = mockApi();
    refreshCalls = 0;
    sent = {};
    signIn('old');
    mock.onGet(/\/tasks\/[\w-]+$/).reply(async (config) => {
      const id = (config.url ?? '').split('/').pop() ?? '';
      (sent[id] ??= []).push(bearer(config));
      // One request's 401 arrives only after the refresh is done.
      if (id === 'slow' && bearer(config) === 'old') await sleep(80);
      return bearer(config) === 'new'
        ? [200, { id }]
        : problemReply('unauthorized', 'Token expired. Please login again.');
    });
  });

  afterEach(() => {
    mock.restore();
  });

  it('refreshes exactly once for many concurrent 401s and replays each request once', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(async (config) => {
      refreshCalls += 1;
      expect(header(config, 'X-Requested-With')).toBe('XMLHttpRequest');
      await sleep(20);
      return [200, refreshed];
    });

    const ids = ['a', 'b', 'c', 'd', 'e', 'slow'];
    const responses = await Promise.all(ids.map((id) => http.get<{ id: string }>(`/tasks/${id}`)));

    expect(refreshCalls).toBe(1);
    expect(responses.map((r) => r.data.id)).toEqual(ids);
    for (const id of ids) expect(sent[id]).toEqual(['old', 'new']);
    expect(useSession.getState().accessToken).toBe('new');
    expect(useSession.getState().status).toBe('authenticated');
    expect(pendingRefresh()).toBeNull();
  });

  it('holds requests made during a refresh until the new token is there', async () => {
    const gate = deferred();
    mock.onPost(/\/auth\/refresh$/).reply(async () => {
      refreshCalls += 1;
      await gate.promise;
      return [200, refreshed];
    });

    const refresh = refreshAccessToken();
    const request = http.get('/tasks/waiting');
    await sleep(10);
    expect(sent.waiting).toBeUndefined();
    gate.resolve();
    await refresh;
    await request;

    expect(refreshCalls).toBe(1);
    expect(sent.waiting).toEqual(['new']);
  });

  it('ends the session when the refresh is refused, and fails every waiting request', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(async () => {
      refreshCalls += 1;
      await sleep(10);
      return problemReply('unauthorized', 'Invalid refresh token');
    });

    const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => http.get(`/tasks/${id}`)));

    expect(refreshCalls).toBe(1);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    for (const id of ['a', 'b', 'c']) expect(sent[id]).toEqual(['old']);
    const session = useSession.getState();
    expect(session.status).toBe('anonymous');
    expect(session.accessToken).toBeNull();
    expect(session.user).toBeNull();
    expect(session.notice).toBe(SESSION_ENDED_MESSAGE);
  });

  it('keeps the session when the refresh fails on the network', async () => {
    mock.onPost(/\/auth\/refresh$/).networkError();
    await expect(http.get('/tasks/a')).rejects.toThrow();
    expect(useSession.getState().status).toBe('authenticated');
  });

  it('does not refresh again when the replayed request is refused too', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(() => {
      refreshCalls += 1;
      return [200, signedIn('still-bad')];
    });
    await expect(http.get('/tasks/a')).rejects.toMatchObject({ response: { status: 401 } });
    expect(refreshCalls).toBe(1);
    expect(sent.a).toEqual(['old', 'still-bad']);
  });

  it('never refreshes for a 401 from login (with a password, a second step or a passkey), register or refresh itself', async () => {
    mock.onPost(/\/auth\/refresh$/).reply(() => {
      refreshCalls += 1;
      return problemReply('unauthorized', 'No refresh token provided');
    });
    mock.onPost(/\/auth\/login$/).reply(...problemReply('unauthorized', 'Invalid email or password'));
    mock.onPost(/\/auth\/login\/second-step$/).reply(...problemReply('unauthorized', 'This code is not valid.'));
    mock.onPost(/\/auth\/login\/passkey$/).reply(...problemReply('unauthorized', 'This passkey could not sign you in.'));
    mock.onPost(/\/auth\/register$/).reply(...problemReply('unauthorized', 'nope'));

    for (const path of ['/auth/login', '/auth/login/second-step', '/auth/login/passkey', '/auth/register']) {
      await expect(http.post(path, {})).rejects.toMatchObject({ response: { status: 401 } });
    }
    expect(refreshCalls).toBe(0);
    await expect(refreshAccessToken()).rejects.toMatchObject({ response: { status: 401 } });
    expect(refreshCalls).toBe(1);
  });

  it('sends the bearer token but not to the login endpoint', async () => {
    let loginAuth: string | undefined = 'unset';
    mock.onPost(/\/auth\/login$/).reply((config) => {
      loginAuth = bearer(config);
      return [200, signedIn('x')];
    });
    await http.post('/auth/login', {});
    await http.get('/tasks/zzz').catch(() => undefined);
    expect(loginAuth).toBeUndefined();
    expect(sent.zzz?.[0]).toBe('old');
  });
});
