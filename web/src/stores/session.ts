import type { User } from '../api/types';
import { createStore } from './createStore';

export type SessionStatus = 'restoring' | 'authenticated' | 'anonymous';

export const SESSION_ENDED_MESSAGE = 'Your session has ended. Please sign in again.';

export interface SessionState {
  status: SessionStatus;
  user: User | null;
  /** The access token. Held in memory only: never written to localStorage or sessionStorage. */
  accessToken: string | null;
  /** A message for the sign-in page, e.g. why the session ended. */
  notice: string | null;
  setSession: (user: User, accessToken: string) => void;
  setAccessToken: (accessToken: string) => void;
  clearSession: (notice?: string | null) => void;
  setNotice: (notice: string | null) => void;
}

export const useSession = createStore<SessionState>('session', (set) => ({
  status: 'restoring',
  user: null,
  accessToken: null,
  notice: null,
  setSession: (user, accessToken) =>
    set({ status: 'authenticated', user, accessToken, notice: null }, false, 'session/set'),
  setAccessToken: (accessToken) => set({ accessToken }, false, 'session/token'),
  clearSession: (notice = null) =>
    set({ status: 'anonymous', user: null, accessToken: null, notice }, false, 'session/clear'),
  setNotice: (notice) => set({ notice }, false, 'session/notice'),
}));
