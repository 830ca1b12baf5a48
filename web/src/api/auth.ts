import { isAxiosError } from 'axios';
import { http, refreshAccessToken, tokenFrom, XHR_HEADER } from './http';
import type { ApiSuccess, AuthPayload, Profile, SessionInfo } from './types';
import { useSession } from '../stores/session';
import { NETWORK_ERROR } from './errors';

export const SIGNED_OUT_EVERYWHERE_MESSAGE = 'You have been signed out on every device.';

function adopt(payload: AuthPayload | undefined): void {
  const token = tokenFrom(payload);
  if (!payload?.user || !token) throw new Error('The server response carried no access token');
  useSession.getState().setSession(payload.user, token);
}

export async function login(email: string, password: string): Promise<void> {
  const { data } = await http.post<ApiSuccess<AuthPayload>>('/auth/login', { email, password });
  adopt(data.data);
}

export async function register(name: string, email: string, password: string): Promise<void> {
  const { data } = await http.post<ApiSuccess<AuthPayload>>('/auth/register', { email, password, name });
  adopt(data.data);
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
    await http.post('/auth/logout', undefined, { headers: XHR_HEADER });
  } catch {
    // The local session ends regardless; the refresh cookie expires on its own.
  } finally {
    useSession.getState().clearSession();
  }
}

export async function logoutEverywhere(): Promise<void> {
  await http.post('/auth/logout-all', undefined, { headers: XHR_HEADER });
  useSession.getState().clearSession(SIGNED_OUT_EVERYWHERE_MESSAGE);
}

export async function fetchProfile(signal?: AbortSignal): Promise<Profile> {
  const { data } = await http.get<ApiSuccess<Profile>>('/auth/profile', { signal });
  if (!data.data) throw new Error('Empty profile response');
  return data.data;
}

export async function fetchSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  const { data } = await http.get<ApiSuccess<SessionInfo[]>>('/auth/sessions', { signal });
  return data.data ?? [];
}

export async function revokeSession(id: string): Promise<void> {
  await http.delete(`/auth/sessions/${encodeURIComponent(id)}`, { headers: XHR_HEADER });
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<string | undefined> {
  const { data } = await http.post<ApiSuccess<Partial<AuthPayload> | null>>(
    '/auth/password',
    { currentPassword, newPassword },
    { headers: XHR_HEADER },
  );
  // If the server rotated this session's tokens too, adopt the new access token.
  const token = tokenFrom(data.data ?? undefined);
  if (token) useSession.getState().setAccessToken(token);
  return data.message;
}
