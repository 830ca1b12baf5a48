import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import type { ChangePage, Task } from '../api/types';
import { useLive } from '../stores/live';
import { useProjects } from '../stores/projects';
import { SESSION_ENDED_MESSAGE, useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { FakeSocket } from '../test/fakeSocket';
import { loadedWithTwo, makeProject, makeTask, problemReply, settle, shownTitles, signedIn, signIn, USER } from '../test/helpers';
import { LiveConnection, socketOrigin } from './connection';

function changes(items: ChangePage['items'], nextCursor: string, hasMore = false, removedProjects: string[] = []): ChangePage {
  return { items, nextCursor, hasMore, removedProjects };
}

const titles = shownTitles;

/** A JWT whose payload says it expires at `exp` (seconds); the signature is not read. */
function jwt(exp: number): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '');
  return `${part({ alg: 'EdDSA' })}.${part({ exp })}.signature`;
}

describe('socketOrigin', () => {
  it('is the page’s own origin for a relative API base, else the base’s origin', () => {
    expect(socketOrigin('/api', 'http://app.example:8080')).toBe('http://app.example:8080');
    expect(socketOrigin('https://api.example.com/api', 'http://app.example')).toBe('https://api.example.com');
  });
});

describe('the live connection', () => {
  let mock: MockAdapter;
  let socket: FakeSocket;
  let connection: LiveConnection;
  let a: Task;
  let b: Task;

  beforeEach(async () => {
    ({ mock, a, b } = await loadedWithTwo());
    socket = new FakeSocket();
    connection = new LiveConnection('/api', socket.open);
  });

  afterEach(() => {
    connection.stop();
    mock.restore();
  });

  /** Connects, and answers the first catch-up with `page`. */
  async function connectLive(page = changes([], 'c1')): Promise<void> {
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, page);
    connection.start();
    socket.accept();
    await settle(5);
  }

  it('connects to the API origin with the current token, both transports, Socket.IO’s path', async () => {
    connection.start();
    expect(useLive.getState().status).toBe('connecting');
    expect(socket.connects).toBe(1);
    expect(socket.origin).toBe(window.location.origin);
    expect(socket.options).toMatchObject({ path: '/socket.io', transports: ['websocket', 'polling'] });
    expect(await socket.token()).toBe('access-1');
    useSession.getState().setAccessToken('access-2');
    expect(await socket.token()).toBe('access-2');
  });

  it('refreshes a token about to expire before presenting it', async () => {
    useSession.getState().setAccessToken(jwt(Math.floor(Date.now() / 1000)));
    mock.onPost(/\/auth\/refresh$/).replyOnce(200, signedIn('refreshed'));
    expect(await socket.token()).toBe('refreshed');
    expect(mock.history.post).toHaveLength(1);
  });

  it('catches up once connected, page after page, and is live after the last', async () => {
    const created = makeTask({ title: 'Charlie' });
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, changes([{ op: 'upsert', task: created }], 'c1', true));
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, changes([{ op: 'delete', id: a.id, projectId: a.projectId, revision: a.revision + 5 }], 'c2'));
    connection.start();
    expect(mock.history.get?.filter((r) => r.url === '/tasks/changes')).toHaveLength(0);
    socket.accept();
    await settle(5);
    const reads = mock.history.get?.filter((r) => r.url === '/tasks/changes') ?? [];
    expect(reads.map((r) => r.params as unknown)).toEqual([{ limit: 100 }, { cursor: 'c1', limit: 100 }]);
    expect(titles()).toEqual(['Charlie', 'Bravo']);
    expect(useLive.getState().status).toBe('live');
  });

  it('applies task events by revision, each event id once', async () => {
    await connectLive();
    socket.emit('task:updated', { eventId: 11, data: { ...b, title: 'Bravo 2', revision: b.revision + 1 } });
    expect(titles()).toEqual(['Bravo 2', 'Alpha']);
    // Heard again (at least once delivery), or an older version: no change.
    socket.emit('task:updated', { eventId: 11, data: { ...b, title: 'Repeat', revision: b.revision + 9 } });
    socket.emit('task:updated', { eventId: 12, data: { ...b, title: 'Older', revision: b.revision } });
    expect(titles()).toEqual(['Bravo 2', 'Alpha']);
    socket.emit('task:created', { eventId: 13, data: makeTask({ title: 'Charlie' }) });
    expect(titles()).toEqual(['Charlie', 'Bravo 2', 'Alpha']);
    socket.emit('task:deleted', { eventId: 14, data: { id: a.id, projectId: a.projectId, revision: a.revision + 3 } });
    expect(titles()).toEqual(['Charlie', 'Bravo 2']);
  });

  it('after a drop, says so, reconnects and catches up from the cursor it holds', async () => {
    await connectLive(changes([], 'c1'));
    socket.drop();
    expect(useLive.getState().status).toBe('reconnecting');
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, changes([{ op: 'upsert', task: { ...a, title: 'Alpha 2', revision: a.revision + 1 } }], 'c2'));
    mock.onGet(/\/projects$/).replyOnce(200, { items: [], nextCursor: null });
    socket.accept();
    await settle(5);
    expect(mock.history.get?.filter((r) => r.url === '/tasks/changes').at(-1)?.params).toEqual({ cursor: 'c1', limit: 100 });
    expect(titles()).toEqual(['Bravo', 'Alpha 2']);
    expect(useLive.getState().status).toBe('live');
  });

  it('catches up on resync', async () => {
    await connectLive(changes([], 'c1'));
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, changes([], 'c2'));
    socket.emit('resync', {});
    await settle(5);
    expect(mock.history.get?.filter((r) => r.url === '/tasks/changes').at(-1)?.params).toEqual({ cursor: 'c1', limit: 100 });
  });

  it('starts over from no cursor, the lists read again, when the cursor has expired', async () => {
    await connectLive(changes([], 'c1'));
    mock.onGet(/\/tasks\/changes$/).replyOnce(...problemReply('cursor-expired', 'Changes this far back are no longer kept'));
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, changes([], 'fresh'));
    mock.onGet(/\/tasks$/).replyOnce(200, { items: [a], nextCursor: null });
    mock.onGet(/\/projects$/).replyOnce(200, { items: [], nextCursor: null });
    socket.emit('resync', {});
    await settle(10);
    const reads = mock.history.get?.filter((r) => r.url === '/tasks/changes') ?? [];
    expect(reads.slice(-2).map((r) => r.params as unknown)).toEqual([{ cursor: 'c1', limit: 100 }, { limit: 100 }]);
    expect(titles()).toEqual(['Alpha']);
  });

  it('answers a refused token with one refresh, then connects with the new token', async () => {
    connection.start();
    mock.onPost(/\/auth\/refresh$/).replyOnce(200, signedIn('access-2'));
    socket.refuse('Token expired. Please login again.');
    expect(useLive.getState().status).toBe('connecting');
    await settle(5);
    expect(mock.history.post).toHaveLength(1);
    expect(socket.connects).toBe(2);
    expect(await socket.token()).toBe('access-2');
  });

  it('ends the session when the refresh is refused', async () => {
    connection.start();
    mock.onPost(/\/auth\/refresh$/).replyOnce(...problemReply('unauthorized', 'Session expired'));
    socket.refuse('Token expired. Please login again.');
    await settle(5);
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', notice: SESSION_ENDED_MESSAGE });
    expect(socket.connects).toBe(1);
  });

  it('ends the session on session:ended, and when refused for an ended session', async () => {
    await connectLive();
    socket.emit('session:ended', { eventId: 20, data: { sessionId: 's1', reason: 'revoked' } });
    expect(useSession.getState()).toMatchObject({ status: 'anonymous', notice: SESSION_ENDED_MESSAGE });
    expect(socket.connected).toBe(false);

    signIn();
    const second = new FakeSocket();
    const again = new LiveConnection('/api', second.open);
    again.start();
    second.refuse('This session has ended. Please sign in again.');
    expect(useSession.getState().status).toBe('anonymous');
    again.stop();
  });

  it('goes offline with the browser and reconnects when it is back', async () => {
    await connectLive();
    window.dispatchEvent(new Event('offline'));
    expect(useLive.getState().status).toBe('offline');
    expect(socket.connected).toBe(false);
    window.dispatchEvent(new Event('online'));
    expect(useLive.getState().status).toBe('reconnecting');
    expect(socket.connects).toBe(2);
  });

  it('keeps the projects current: renamed, joined, left', async () => {
    const shared = makeProject({ name: 'Shared', role: 'editor' });
    const joined = makeProject({ name: 'Joined', role: 'viewer' });
    useProjects.setState({ projects: [shared], status: 'ready' });
    const task = makeTask({ title: 'In shared', projectId: shared.id });
    await connectLive(changes([{ op: 'upsert', task }], 'c1'));
    expect(titles()).toContain('In shared');

    socket.emit('project:updated', { eventId: 30, data: { ...shared, role: undefined, name: 'Renamed', version: shared.version + 1 } });
    expect(useProjects.getState().projects[0]).toMatchObject({ name: 'Renamed', role: 'editor' });

    mock.onGet(`/projects/${joined.id}`).replyOnce(200, joined);
    const joinedTask = makeTask({ title: 'In joined', projectId: joined.id });
    mock.onGet(/\/tasks\/changes$/).replyOnce(200, changes([{ op: 'upsert', task: joinedTask }], 'c2'));
    const me = { userId: USER.id, name: USER.name, email: USER.email, role: 'viewer', joinedAt: '2024-01-01T00:00:00Z' };
    socket.emit('member:added', { eventId: 31, data: { ...me, projectId: joined.id } });
    await settle(5);
    expect(useProjects.getState().projects.map((p) => p.name)).toEqual(['Renamed', 'Joined']);
    // Its tasks so far come by the delta query.
    expect(titles()).toContain('In joined');

    socket.emit('member:updated', { eventId: 33, data: { ...me, role: 'editor', projectId: joined.id } });
    expect(useProjects.getState().projects[1]?.role).toBe('editor');

    socket.emit('member:removed', { eventId: 32, data: { ...me, projectId: shared.id } });
    expect(useProjects.getState().projects.map((p) => p.name)).toEqual(['Joined']);
    expect(useProjects.getState().lost).toBe(shared.id);
    expect(titles()).not.toContain('In shared');

    socket.emit('project:deleted', { eventId: 34, data: { id: joined.id } });
    expect(useProjects.getState().projects).toEqual([]);
    expect(titles()).not.toContain('In joined');
    expect(useUi.getState().toasts.map((t) => t.message)).toEqual([
      'You are no longer a member of "Renamed".',
      '"Joined" was deleted.',
    ]);
  });
});
