import { isAxiosError } from 'axios';
import { api } from './client';
import { adoptSignedIn, refreshAccessToken, XHR_HEADER } from './http';
import type { Profile, SessionInfo } from './types';
import { useSession } from '../stores/session';
import { NETWORK_ERROR } from './errors';

export const SIGNED_OUT_EVERYWHERE_MESSAGE = 'You have been signed out on every device.';

// Sign-in and sign-up send the CSRF header too: the API then keeps the refresh token out of the
// body, and the httpOnly cookie (on /api/v2/auth) is its only copy.

export async function login(email: string, password: string): Promise<void> {
  const { data } = await api.post('/auth/login', { body: { email, password }, headers: XHR_HEADER });
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
