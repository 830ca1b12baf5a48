import { isAxiosError } from 'axios';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { endSession, pendingRefresh, refreshAccessToken } from '../api/http';
import { fetchChanges } from '../api/tasks';
import type { ChangePage } from '../api/types';
import { useLive, type LiveStatus } from '../stores/live';
import { useProjects } from '../stores/projects';
import { useSession } from '../stores/session';
import { useTasks } from '../stores/tasks';
import { CatchUp } from './catchUp';
import { isEnvelope, SeenEvents, type Envelope, type ServerEvents } from './events';
import { expiresWithin } from './token';

export type LiveSocket = Socket<ServerEvents, Record<string, never>>;
export type OpenSocket = (origin: string, options: Partial<ManagerOptions & SocketOptions>) => LiveSocket;

/** Waits before trying again after a refusal or a failed catch-up: at once, then slower. */
export const RETRY_DELAYS_MS = [0, 1000, 2000, 5000, 10_000, 30_000] as const;
/** A token this close to its expiry is refreshed before it is presented. */
const TOKEN_MARGIN_MS = 1000;

/** The API's origin, where the socket connects: the page's own when the API base is a path. */
export function socketOrigin(apiUrl: string, pageOrigin: string): string {
  return new URL(apiUrl, pageOrigin).origin;
}

function online(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

/** Whether a refusal says the session is over (rather than that the token needs refreshing). */
function sessionOver(message: string): boolean {
  return /session has ended/i.test(message);
}

/** The current access token, refreshed first when it is about to expire (one refresh at a time). */
async function freshToken(): Promise<string> {
  await pendingRefresh()?.catch(() => undefined);
  const token = useSession.getState().accessToken ?? '';
  if (!token || !expiresWithin(token, TOKEN_MARGIN_MS)) return token;
  try {
    return await refreshAccessToken();
  } catch (err) {
    // Refused: the session is over. Unreachable: the connect fails too, and is tried again.
    if (isAxiosError(err) && err.response) endSession();
    return token;
  }
}

/** Applies a page of the delta query: its changes, and the projects this person lost. */
function applyPage(page: ChangePage): void {
  useTasks.getState().applyChanges(page.items);
  if (page.removedProjects.length === 0) return;
  useTasks.getState().dropProjects(page.removedProjects);
  for (const projectId of page.removedProjects) useProjects.getState().projectLost(projectId, 'removed');
}

/** Reads every list again: the delta query no longer covers what this app holds. */
function startOver(): void {
  void useTasks.getState().load();
  void useTasks.getState().loadSummary();
  void useProjects.getState().load();
}

/**
 * The live connection of one signed-in session (docs/realtime.md): a Socket.IO client on the
 * API's origin, authenticated with the current access token on every (re)connect, that applies
 * what it hears to the stores and, once connected, catches up through the delta query.
 */
export class LiveConnection {
  private readonly socket: LiveSocket;
  private readonly catchUp = new CatchUp({ read: fetchChanges, apply: applyPage, startOver });
  private readonly seen = new SeenEvents();
  private stopped = false;
  private connectedBefore = false;
  private refusals = 0;
  private catchUpFailures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(apiUrl: string, open: OpenSocket = io) {
    this.socket = open(socketOrigin(apiUrl, window.location.origin), {
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      // A callback, so that every (re)connect presents the token current then.
      auth: (callback) => void freshToken().then((token) => callback({ token })),
      autoConnect: false,
    });
    this.listen();
  }

  start(): void {
    window.addEventListener('offline', this.wentOffline);
    window.addEventListener('online', this.cameOnline);
    if (!online()) {
      this.setStatus('offline');
      return;
    }
    this.setStatus('connecting');
    this.socket.connect();
  }

  /** Closes for good (the status is the follower's to set: another connection may be starting). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    window.removeEventListener('offline', this.wentOffline);
    window.removeEventListener('online', this.cameOnline);
    this.catchUp.stop();
    this.socket.disconnect();
  }

  private setStatus(status: LiveStatus): void {
    if (useLive.getState().status !== status) useLive.getState().setStatus(status);
  }

  /** What to say while not connected: no network, the first attempt, or a dropped connection. */
  private notConnected(): LiveStatus {
    if (!online()) return 'offline';
    return this.connectedBefore ? 'reconnecting' : 'connecting';
  }

  private later(attempt: number, job: () => void): void {
    this.clearTimer();
    const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)];
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) job();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly wentOffline = () => {
    // A socket on a network that is gone may look open for a long while: closed now, opened
    // again (and caught up) when the network is back.
    this.clearTimer();
    this.socket.disconnect();
    this.setStatus('offline');
  };

  private readonly cameOnline = () => {
    if (this.socket.connected || this.socket.active) return;
    this.setStatus(this.notConnected());
    this.socket.connect();
  };

  private listen(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.refusals = 0;
      const reconnected = this.connectedBefore;
      this.connectedBefore = true;
      // Project names, roles and new memberships missed meanwhile; tasks come by the delta query.
      if (reconnected) void useProjects.getState().load();
      void this.catchUpNow();
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      this.setStatus(this.notConnected());
      // The server closed it (its session did not end: that event comes first and stops this):
      // Socket.IO leaves that to the client. A drop of the network reconnects by itself.
      if (reason === 'io server disconnect') this.later(this.refusals++, () => socket.connect());
    });
    socket.on('connect_error', (error) => {
      if (this.stopped) return;
      this.setStatus(this.notConnected());
      // Still active: the transport failed and Socket.IO tries again by itself.
      if (socket.active) return;
      if (sessionOver(error.message)) {
        this.endSession();
        return;
      }
      // Refused for its token (expired, most likely): refreshed, then connected again.
      this.later(this.refusals++, () => void this.refreshAndConnect());
    });

    const tasks = () => useTasks.getState();
    const projects = () => useProjects.getState();
    socket.on('task:created', (m) => this.heard(m, (task) => tasks().applyChanges([{ op: 'upsert', task }])));
    socket.on('task:updated', (m) => this.heard(m, (task) => tasks().applyChanges([{ op: 'upsert', task }])));
    socket.on('task:deleted', (m) => this.heard(m, (gone) => tasks().applyChanges([{ op: 'delete', ...gone }])));
    socket.on('project:updated', (m) => this.heard(m, (project) => projects().projectChanged(project)));
    socket.on('project:deleted', (m) =>
      this.heard(m, ({ id }) => {
        tasks().dropProjects([id]);
        projects().projectLost(id, 'deleted');
      }),
    );
    socket.on('member:added', (m) =>
      this.heard(m, (member) => {
        void projects().membershipChanged('added', member);
        // Joined: the project's tasks so far are news too, and the delta query has them all.
        if (member.userId === useSession.getState().user?.id) void this.catchUpNow();
      }),
    );
    socket.on('member:updated', (m) => this.heard(m, (member) => void projects().membershipChanged('updated', member)));
    socket.on('member:removed', (m) =>
      this.heard(m, (member) => {
        if (member.userId === useSession.getState().user?.id) tasks().dropProjects([member.projectId]);
        void projects().membershipChanged('removed', member);
      }),
    );
    socket.on('session:ended', (m) => this.heard(m, () => this.endSession()));
    // This instance may have missed events: what the delta query says since the cursor is complete.
    socket.on('resync', () => void this.catchUpNow());
  }

  /** Applies an event once: a repeat of one already applied (delivery is at least once) is dropped. */
  private heard<T>(message: Envelope<T>, apply: (data: T) => void): void {
    if (this.stopped || !isEnvelope(message) || !this.seen.first(message.eventId)) return;
    apply(message.data);
  }

  private async catchUpNow(): Promise<void> {
    try {
      await this.catchUp.run();
      this.catchUpFailures = 0;
      if (!this.stopped && this.socket.connected) this.setStatus('live');
    } catch {
      if (this.stopped || !this.socket.connected) return;
      // Events still arrive meanwhile; until a catch-up succeeds, missed ones may be missing.
      this.later(++this.catchUpFailures, () => void this.catchUpNow());
    }
  }

  private async refreshAndConnect(): Promise<void> {
    try {
      await refreshAccessToken();
    } catch (err) {
      if (isAxiosError(err) && err.response) {
        this.endSession();
        return;
      }
      // No answer: the network is away; the next attempt waits longer.
    }
    if (!this.stopped) this.socket.connect();
  }

  private endSession(): void {
    this.stop();
    endSession();
  }
}
