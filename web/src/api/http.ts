import axios, { isAxiosError, type InternalAxiosRequestConfig } from 'axios';
import type { SignedIn } from './types';
import { SESSION_ENDED_MESSAGE, useSession } from '../stores/session';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Set on a request that has already been replayed once after a refresh. */
    _retried?: boolean;
  }
}

/** `${VITE_API_URL}/v2`, with `/api` as the default base: the app speaks API v2. */
export const API_BASE = `${(import.meta.env.VITE_API_URL || '/api').replace(/\/+$/, '')}/v2`;

/**
 * Header the API requires on calls that act on the refresh cookie (a CSRF guard). Sent on
 * sign-in too, where it tells the API that the cookie is the refresh token's only copy.
 */
export const XHR_HEADER = { 'X-Requested-With': 'XMLHttpRequest' } as const;

export const http = axios.create({
  baseURL: API_BASE,
  withCredentials: true,
  timeout: 30_000,
  headers: { Accept: 'application/json' },
});

/** Calls whose 401 means "wrong credentials" or "no session", never "access token expired". */
const NO_REFRESH_PATHS = /\/auth\/(login|login\/second-step|login\/passkey|register|refresh)\/?$/;

function isAuthExempt(config: InternalAxiosRequestConfig): boolean {
  const path = (config.url ?? '').split('?')[0] ?? '';
  return NO_REFRESH_PATHS.test(path);
}

function bearerOf(config: InternalAxiosRequestConfig): string | null {
  const value = config.headers.get('Authorization');
  return typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7) : null;
}

let inFlightRefresh: Promise<string> | null = null;

/**
 * Runs `task` under a cross-tab lock where the browser has one, so two tabs never present the same
 * rotating refresh token at once (the server would take the second use for token theft).
 */
function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks?.request) return task();
  return locks.request('taskmaster-refresh', task) as Promise<T>;
}

/**
 * Exchanges the refresh cookie for a new access token. Every caller that asks while a refresh is
 * in flight shares that one request: there is never more than one refresh at a time.
 */
export function refreshAccessToken(): Promise<string> {
  // The refresh cookie lives on /api/v2/auth: only this path makes the browser send it.
  inFlightRefresh ??= withRefreshLock(() => http.post<SignedIn>('/auth/refresh', undefined, { headers: XHR_HEADER }))
    .then(({ data }) => adoptSignedIn(data))
    .finally(() => {
      inFlightRefresh = null;
    });
  return inFlightRefresh;
}

/** Makes a sign-in, sign-up or refresh answer the session; returns its access token. */
export function adoptSignedIn(data: Partial<SignedIn> | undefined): string {
  if (!data?.user || !data.accessToken) throw new Error('The server response carried no access token');
  useSession.getState().setSession(data.user, data.accessToken);
  return data.accessToken;
}

/** The refresh currently in flight, if any (exposed for tests). */
export function pendingRefresh(): Promise<string> | null {
  return inFlightRefresh;
}

/** The session is over (refused by the server): back to the sign-in page, saying why. */
export function endSession(): void {
  const session = useSession.getState();
  if (session.status === 'authenticated') session.clearSession(SESSION_ENDED_MESSAGE);
}

http.interceptors.request.use(async (config) => {
  if (isAuthExempt(config)) return config;
  if (inFlightRefresh) {
    // Wait for the token being fetched rather than sending one we already know is stale.
    await inFlightRefresh.catch(() => undefined);
  }
  const token = useSession.getState().accessToken;
  if (token) config.headers.set('Authorization', `Bearer ${token}`);
  return config;
});

http.interceptors.response.use(undefined, async (error: unknown) => {
  if (!isAxiosError(error)) throw error;
  const config = error.config;
  if (!config || error.response?.status !== 401 || isAuthExempt(config) || config._retried) {
    throw error;
  }
  const session = useSession.getState();
  if (session.status !== 'authenticated') throw error;

  let token: string;
  const sent = bearerOf(config);
  if (session.accessToken && sent !== session.accessToken) {
    // Another request already refreshed while this one was on the wire.
    token = session.accessToken;
  } else {
    try {
      token = await refreshAccessToken();
    } catch (refreshError) {
      // A refusal ends the session; a network failure leaves it alone and fails this request.
      if (!isAxiosError(refreshError) || refreshError.response) endSession();
      throw error;
    }
  }
  config._retried = true;
  config.headers.set('Authorization', `Bearer ${token}`);
  return http.request(config);
});
