import { createStore } from './createStore';

/**
 * Where the live updates stand: `off` signed out; `connecting` the first time; `live` connected
 * and caught up; `reconnecting` the connection dropped and is being made again; `offline` the
 * browser has no network (it reconnects when it is back).
 */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveState {
  status: LiveStatus;
  setStatus: (status: LiveStatus) => void;
}

export const useLive = createStore<LiveState>('live', (set) => ({
  status: 'off',
  setStatus: (status) => set({ status }, false, `live/${status}`),
}));
