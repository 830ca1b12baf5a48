import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AxiosRequestConfig } from 'axios';
import type MockAdapter from 'axios-mock-adapter';
import type { Task, TaskSummary } from '../api/types';
import { useSession } from './session';
import { PAGE_SIZE, useTasks } from './tasks';
import { useUi } from './ui';
import { deferred, makeTask, mockApi, problemReply, resetStores, settle, signedIn, signIn, USER } from '../test/helpers';

const SUMMARY: TaskSummary = { total: 3, pending: 2, inProgress: 0, completed: 1, overdue: 0 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function page(items: Task[], nextCursor: string | null = null): [number, unknown] {
  return [200, { items, nextCursor }];
}

function header(config: AxiosRequestConfig | undefined, name: string): unknown {
  const headers = config?.headers as ({ get?: (n: string) => unknown } & Record<string, unknown>) | undefined;
  return headers?.get?.(name) ?? headers?.[name];
}

function body(config: AxiosRequestConfig | undefined): unknown {
  return JSON.parse(String(config?.data));
}

function errors(): string[] {
  return useUi.getState().toasts.filter((t) => t.kind === 'error').map((t) => t.message);
}

function ids(): string[] {
  return useTasks.getState().items.map((t) => t.id);
}

describe('tasks store on API v2', () => {
  let mock: MockAdapter;
  let a: Task, b: Task, c: Task;

  beforeEach(async () => {
    resetStores();
    signIn();
    mock = mockApi();
    c = makeTask({ title: 'Write report', status: 'completed' });
    b = makeTask({ title: 'Buy milk', description: 'Two litres' });
    a = makeTask({ title: 'Call Bob', priority: 'high' });
    mock.onGet(/\/tasks\/summary$/).reply(200, SUMMARY);
    mock.onGet(/\/tasks$/).replyOnce(...page([a, b, c]));
    await useTasks.getState().load();
    await useTasks.getState().loadSummary();
  });

  afterEach(() => mock.restore());

  describe('the list, by cursor', () => {
    it('loads the first page with the query as parameters and no cursor', () => {
      const s = useTasks.getState();
      expect(ids()).toEqual([a.id, b.id, c.id]);
      expect(s).toMatchObject({ hasMore: false, nextCursor: null, listStatus: 'ready', summary: SUMMARY });
      expect(mock.history.get?.[0]?.url).toBe('/tasks');
      expect(mock.history.get?.[0]?.params).toEqual({ sort: '-createdAt', limit: PAGE_SIZE });
    });

    it('sends search, filters and a two-key sort, and drops a superseded response', async () => {
      const slow = deferred();
      mock.onGet(/\/tasks$/).replyOnce(async () => {
        await slow.promise;
        return page([a, b, c]);
      });
      mock.onGet(/\/tasks$/).replyOnce(...page([b]));

      useTasks.getState().setQuery({ search: 'milk' });
      await settle(5);
      expect(mock.history.get).toHaveLength(3);
      useTasks.getState().setQuery({ status: 'pending', priority: 'medium', sort: '-priority,dueDate' });
      await settle(10);
      slow.resolve();
      await settle(10);

      expect(ids()).toEqual([b.id]);
      expect(mock.history.get?.at(-1)?.params).toEqual({
        search: 'milk',
        status: 'pending',
        priority: 'medium',
        sort: '-priority,dueDate',
        limit: PAGE_SIZE,
      });
    });

    it('pages on with the cursor it was given, appending without duplicates', async () => {
      const page1 = Array.from({ length: PAGE_SIZE }, () => makeTask());
      const page2 = [page1[PAGE_SIZE - 1] as Task, makeTask(), makeTask()];
      mock.onGet(/\/tasks$/).replyOnce(...page(page1, 'cursor-2'));
      mock.onGet(/\/tasks$/).replyOnce(...page(page2, null));
      await useTasks.getState().load();
      expect(useTasks.getState()).toMatchObject({ hasMore: true, nextCursor: 'cursor-2' });

      await useTasks.getState().loadMore();
      const s = useTasks.getState();
      expect(mock.history.get?.at(-1)?.params).toEqual({ sort: '-createdAt', limit: PAGE_SIZE, cursor: 'cursor-2' });
      expect(s.items).toHaveLength(PAGE_SIZE + 2);
      expect(new Set(ids()).size).toBe(PAGE_SIZE + 2);
      expect(s).toMatchObject({ hasMore: false, nextCursor: null });

      // The end of the list: nothing more to ask.
      const asked = mock.history.get?.length;
      await useTasks.getState().loadMore();
      expect(mock.history.get?.length).toBe(asked);
    });

    it('starts a new query from its first page: the old cursor is never sent with it', async () => {
      mock.onGet(/\/tasks$/).replyOnce(...page([a, b], 'cursor-all'));
      await useTasks.getState().load();
      mock.onGet(/\/tasks$/).replyOnce(...page([c], 'cursor-done'));
      useTasks.getState().setQuery({ status: 'completed' });
      await settle();
      expect(mock.history.get?.at(-1)?.params).toEqual({ sort: '-createdAt', limit: PAGE_SIZE, status: 'completed' });
      expect(ids()).toEqual([c.id]);

      mock.onGet(/\/tasks$/).replyOnce(...page([], null));
      await useTasks.getState().loadMore();
      expect(mock.history.get?.at(-1)?.params).toMatchObject({ status: 'completed', cursor: 'cursor-done' });
    });

    it('starts over when the server no longer takes the cursor', async () => {
      mock.onGet(/\/tasks$/).replyOnce(...page([a], 'stale'));
      await useTasks.getState().load();
      mock.onGet(/\/tasks$/).replyOnce(...problemReply('invalid-cursor', 'start from the first page', [{ parameter: 'cursor', detail: 'x' }]));
      mock.onGet(/\/tasks$/).replyOnce(...page([a, b, c]));
      await useTasks.getState().loadMore();
      await settle();
      expect(mock.history.get?.at(-1)?.params).toEqual({ sort: '-createdAt', limit: PAGE_SIZE });
      expect(ids()).toEqual([a.id, b.id, c.id]);
      expect(useTasks.getState().listError).toBeNull();
    });

    it('shows the problem’s detail when the list cannot be loaded', async () => {
      mock.onGet(/\/tasks$/).replyOnce(...problemReply('unavailable', 'The database is unavailable'));
      await useTasks.getState().load();
      expect(useTasks.getState()).toMatchObject({ listStatus: 'error', listError: 'The database is unavailable' });
    });
  });

  describe('create, once however often it is retried', () => {
    it('shows the task at once, sends a fresh Idempotency-Key and swaps in the saved task', async () => {
      const saved = makeTask({ title: 'New one', createdAt: new Date().toISOString() });
      const gate = deferred();
      mock.onPost(/\/tasks$/).replyOnce(async () => {
        await gate.promise;
        return [201, saved, { etag: `"${saved.revision}"` }];
      });

      const pending = useTasks.getState().create({ title: 'New one', status: 'pending' });
      let s = useTasks.getState();
      expect(s.items[0]).toMatchObject({ title: 'New one', status: 'pending' });
      expect(s.items[0]?.id.startsWith('temp-')).toBe(true);
      expect(s.summary).toMatchObject({ total: 4, pending: 3 });

      gate.resolve();
      await expect(pending).resolves.toEqual(saved);
      s = useTasks.getState();
      expect(s.items[0]).toEqual(saved);
      expect(s.items).toHaveLength(4);
      expect(s.creates).toEqual({});
      expect(Object.keys(s.saving)).toHaveLength(0);
      expect(header(mock.history.post?.[0], 'Idempotency-Key')).toMatch(UUID);
      expect(body(mock.history.post?.[0])).toEqual({ title: 'New one', status: 'pending' });
    });

    it('gives every new task a key of its own', async () => {
      mock.onPost(/\/tasks$/).reply(() => [201, makeTask()]);
      await useTasks.getState().create({ title: 'One' });
      await useTasks.getState().create({ title: 'Two' });
      const keys = mock.history.post?.map((r) => header(r, 'Idempotency-Key'));
      expect(new Set(keys).size).toBe(2);
    });

    it('keeps a create whose answer was lost, and retries it with the same key', async () => {
      const saved = makeTask({ title: 'Pay rent', createdAt: new Date().toISOString() });
      mock.onPost(/\/tasks$/).networkErrorOnce();
      const first = await useTasks.getState().create({ title: 'Pay rent' });
      expect(first).toBeNull();

      let s = useTasks.getState();
      const tempId = s.items[0]?.id ?? '';
      expect(tempId.startsWith('temp-')).toBe(true);
      expect(s.creates[tempId]?.failed).toMatch(/Cannot reach the server/);
      // Not known to be on the server: not counted.
      expect(s.summary).toEqual(SUMMARY);
      expect(errors()[0]).toMatch(/^"Pay rent" is not saved yet/);

      mock.onPost(/\/tasks$/).replyOnce(201, saved, { 'idempotent-replayed': 'true' });
      await expect(useTasks.getState().retryCreate(tempId)).resolves.toEqual(saved);
      s = useTasks.getState();
      expect(ids()).toEqual([saved.id, a.id, b.id, c.id]);
      expect(s.creates).toEqual({});
      const [key1, key2] = (mock.history.post ?? []).map((r) => header(r, 'Idempotency-Key'));
      expect(key1).toMatch(UUID);
      expect(key2).toBe(key1);
    });

    it('keeps the key when the call is replayed after a token refresh', async () => {
      mock.onPost(/\/tasks$/).replyOnce(...problemReply('unauthorized', 'Token expired'));
      mock.onPost(/\/auth\/refresh$/).replyOnce(200, signedIn('access-2'));
      mock.onPost(/\/tasks$/).replyOnce(201, makeTask({ title: 'Replayed' }));
      await useTasks.getState().create({ title: 'Replayed' });
      const creates = (mock.history.post ?? []).filter((r) => r.url === '/tasks');
      expect(creates).toHaveLength(2);
      expect(header(creates[1], 'Idempotency-Key')).toBe(header(creates[0], 'Idempotency-Key'));
      expect(header(creates[1], 'Authorization')).toBe('Bearer access-2');
    });

    it('discards a failed create on request', async () => {
      mock.onPost(/\/tasks$/).replyOnce(...problemReply('unavailable', 'Try again soon'));
      await useTasks.getState().create({ title: 'Maybe later' });
      const tempId = ids()[0] ?? '';
      useTasks.getState().discardCreate(tempId);
      expect(ids()).toEqual([a.id, b.id, c.id]);
      expect(useTasks.getState().creates).toEqual({});
    });

    it('rolls back a refused create and reopens the dialog with the server’s word on each field', async () => {
      mock
        .onPost(/\/tasks$/)
        .replyOnce(...problemReply('invalid-request', 'Invalid request body: title: too short', [
          { pointer: '#/title', detail: 'String should have at least 1 character' },
        ]));
      const result = await useTasks.getState().create({ title: ' ', description: 'kept' });
      const s = useTasks.getState();
      expect(result).toBeNull();
      expect(ids()).toEqual([a.id, b.id, c.id]);
      expect(s.summary).toEqual(SUMMARY);
      expect(s.creates).toEqual({});
      expect(errors()).toEqual(['Could not create " ": Invalid request body: title: too short']);
      expect(useUi.getState().dialog).toEqual({
        kind: 'create',
        draft: { title: ' ', description: 'kept' },
        errors: { title: 'String should have at least 1 character' },
      });
    });
  });

  describe('update, by merge patch with If-Match', () => {
    it('marks complete at once and sends only the change, naming the revision it was based on', async () => {
      const gate = deferred();
      mock.onPatch(`/tasks/${b.id}`).replyOnce(async (config) => {
        await gate.promise;
        return [200, { ...b, ...(body(config) as object), revision: b.revision + 1, updatedAt: 'server' }];
      });
      const pending = useTasks.getState().toggleComplete(b.id);
      expect(useTasks.getState().items[1]?.status).toBe('completed');
      expect(useTasks.getState().summary).toMatchObject({ pending: 1, completed: 2 });
      expect(useTasks.getState().saving[b.id]).toBe(true);

      gate.resolve();
      await expect(pending).resolves.toBe(true);
      expect(useTasks.getState().items[1]).toMatchObject({ status: 'completed', updatedAt: 'server', revision: b.revision + 1 });
      const sent = mock.history.patch?.[0];
      expect(body(sent)).toEqual({ status: 'completed' });
      expect(header(sent, 'If-Match')).toBe(`"${b.revision}"`);
      expect(header(sent, 'Content-Type')).toBe('application/merge-patch+json');
    });

    it('sends a second edit after the first, naming the revision the first one made', async () => {
      const gate = deferred();
      mock.onPatch(`/tasks/${a.id}`).replyOnce(async () => {
        await gate.promise;
        return [200, { ...a, title: 'First', revision: a.revision + 1 }];
      });
      mock.onPatch(`/tasks/${a.id}`).replyOnce(200, { ...a, title: 'First', priority: 'low', revision: a.revision + 2 });
      const first = useTasks.getState().update(a.id, { title: 'First' });
      const second = useTasks.getState().update(a.id, { priority: 'low' });
      expect(useTasks.getState().items[0]).toMatchObject({ title: 'First', priority: 'low' });
      await settle(5);
      expect(mock.history.patch).toHaveLength(1);

      gate.resolve();
      await Promise.all([first, second]);
      expect(mock.history.patch?.map((r) => header(r, 'If-Match'))).toEqual([`"${a.revision}"`, `"${a.revision + 1}"`]);
      expect(useTasks.getState().items[0]).toMatchObject({ title: 'First', priority: 'low', revision: a.revision + 2 });
      expect(useTasks.getState().saving).toEqual({});
    });

    it('rolls back the change with a toast when the server refuses', async () => {
      mock.onPatch(`/tasks/${a.id}`).replyOnce(...problemReply('internal-error', 'Internal error'));
      const ok = await useTasks.getState().update(a.id, { title: 'Renamed', priority: 'low' });
      expect(ok).toBe(false);
      expect(useTasks.getState().items[0]).toEqual(a);
      expect(useTasks.getState().summary).toEqual(SUMMARY);
      expect(errors()).toEqual(['Could not update "Call Bob": Internal error']);
    });

    it('takes a task out of a filtered list and puts it back in place on failure', async () => {
      mock.onGet(/\/tasks$/).replyOnce(...page([a, b]));
      useTasks.getState().setQuery({ status: 'pending' });
      await settle();
      expect(ids()).toEqual([a.id, b.id]);

      const gate = deferred();
      mock.onPatch(`/tasks/${a.id}`).replyOnce(async () => {
        await gate.promise;
        return problemReply('unavailable', 'Service unavailable');
      });
      const pending = useTasks.getState().toggleComplete(a.id);
      expect(ids()).toEqual([b.id]);

      gate.resolve();
      await pending;
      expect(ids()).toEqual([a.id, b.id]);
      expect(errors()).toEqual(['Could not update "Call Bob": Service unavailable']);
    });

    it('on 412 shows the newer version and, when asked, saves this person’s change over it', async () => {
      const theirs = { ...b, title: 'Buy oat milk', revision: b.revision + 5 };
      mock.onPatch(`/tasks/${b.id}`).replyOnce(...problemReply('precondition-failed', 'The task has changed'));
      mock.onGet(`/tasks/${b.id}`).replyOnce(200, theirs, { etag: `"${theirs.revision}"` });

      await expect(useTasks.getState().update(b.id, { description: 'Three litres' })).resolves.toBe(false);
      let s = useTasks.getState();
      expect(s.items[1]).toEqual(theirs);
      expect(s.conflict).toEqual({ kind: 'update', taskId: b.id, base: b, mine: { description: 'Three litres' }, theirs });
      expect(errors()).toEqual([]);
      expect(s.saving).toEqual({});

      mock.onPatch(`/tasks/${b.id}`).replyOnce((config) => [
        200,
        { ...theirs, ...(body(config) as object), revision: theirs.revision + 1 },
      ]);
      await expect(useTasks.getState().resolveConflict('mine')).resolves.toBe(true);
      s = useTasks.getState();
      expect(s.conflict).toBeNull();
      expect(header(mock.history.patch?.[1], 'If-Match')).toBe(`"${theirs.revision}"`);
      expect(body(mock.history.patch?.[1])).toEqual({ description: 'Three litres' });
      expect(s.items[1]).toMatchObject({ title: 'Buy oat milk', description: 'Three litres', revision: theirs.revision + 1 });
    });

    it('on 412 keeps the newer version when the person takes it', async () => {
      const theirs = { ...a, status: 'in-progress' as const, revision: a.revision + 5 };
      mock.onPatch(`/tasks/${a.id}`).replyOnce(...problemReply('precondition-failed', 'The task has changed'));
      mock.onGet(`/tasks/${a.id}`).replyOnce(200, theirs);
      await useTasks.getState().update(a.id, { title: 'Mine' });
      expect(useTasks.getState().summary).toMatchObject({ pending: 1, inProgress: 1 });

      await expect(useTasks.getState().resolveConflict('theirs')).resolves.toBe(true);
      expect(useTasks.getState().conflict).toBeNull();
      expect(useTasks.getState().items[0]).toEqual(theirs);
      expect(mock.history.patch).toHaveLength(1);
    });

    it('drops a task deleted elsewhere', async () => {
      mock.onPatch(`/tasks/${c.id}`).replyOnce(...problemReply('not-found', 'Task not found'));
      await useTasks.getState().update(c.id, { title: 'Too late' });
      expect(ids()).toEqual([a.id, b.id]);
      expect(useUi.getState().toasts.at(-1)).toMatchObject({ kind: 'info', message: '"Write report" was deleted elsewhere.' });
    });

    it('reopens the edit dialog with field errors the server gave', async () => {
      mock
        .onPatch(`/tasks/${a.id}`)
        .replyOnce(...problemReply('invalid-request', 'Invalid request body', [{ pointer: '#/description', detail: 'Too long' }]));
      await useTasks.getState().update(a.id, { description: 'x'.repeat(20) });
      expect(useUi.getState().dialog).toEqual({
        kind: 'edit',
        taskId: a.id,
        draft: { description: 'x'.repeat(20) },
        errors: { description: 'Too long' },
      });
    });
  });

  describe('delete, with If-Match', () => {
    it('deletes for good when the server agrees', async () => {
      mock.onDelete(`/tasks/${c.id}`).replyOnce(204);
      await expect(useTasks.getState().remove(c.id)).resolves.toBe(true);
      expect(ids()).toEqual([a.id, b.id]);
      expect(header(mock.history.delete?.[0], 'If-Match')).toBe(`"${c.revision}"`);
    });

    it('removes at once and restores at the same index when refused', async () => {
      const gate = deferred();
      mock.onDelete(`/tasks/${b.id}`).replyOnce(async () => {
        await gate.promise;
        return problemReply('unavailable', 'Service unavailable');
      });
      const pending = useTasks.getState().remove(b.id);
      expect(ids()).toEqual([a.id, c.id]);
      expect(useTasks.getState().summary).toMatchObject({ total: 2, pending: 1 });

      gate.resolve();
      await expect(pending).resolves.toBe(false);
      expect(ids()).toEqual([a.id, b.id, c.id]);
      expect(useTasks.getState().summary).toEqual(SUMMARY);
      expect(errors()).toEqual(['Could not delete "Buy milk": Service unavailable']);
    });

    it('keeps the task removed when it was already gone', async () => {
      mock.onDelete(`/tasks/${b.id}`).replyOnce(...problemReply('not-found', 'Task not found'));
      await expect(useTasks.getState().remove(b.id)).resolves.toBe(true);
      expect(ids()).toEqual([a.id, c.id]);
      expect(errors()).toEqual([]);
    });

    it('on 412 brings the newer version back and deletes it only when asked again', async () => {
      const theirs = { ...b, title: 'Buy milk and bread', revision: b.revision + 5 };
      mock.onDelete(`/tasks/${b.id}`).replyOnce(...problemReply('precondition-failed', 'The task has changed'));
      mock.onGet(`/tasks/${b.id}`).replyOnce(200, theirs);
      await expect(useTasks.getState().remove(b.id)).resolves.toBe(false);
      expect(useTasks.getState().items).toEqual([a, theirs, c]);
      expect(useTasks.getState().conflict).toEqual({ kind: 'delete', taskId: b.id, base: b, theirs });
      expect(useTasks.getState().summary).toEqual(SUMMARY);

      mock.onDelete(`/tasks/${b.id}`).replyOnce(204);
      await expect(useTasks.getState().resolveConflict('mine')).resolves.toBe(true);
      expect(header(mock.history.delete?.[1], 'If-Match')).toBe(`"${theirs.revision}"`);
      expect(ids()).toEqual([a.id, c.id]);
    });
  });

  it('forgets everything when the session ends', () => {
    useSession.getState().clearSession();
    expect(useTasks.getState()).toMatchObject({ items: [], summary: null, listStatus: 'idle', conflict: null, creates: {} });
  });

  describe('views: a project, the tasks assigned to me', () => {
    it('asks for one project’s list and counts, and shows nothing of the last view meanwhile', async () => {
      const inProject = makeTask({ title: 'In the project', projectId: 'p1' });
      const held = deferred();
      mock.onGet(/\/tasks$/).replyOnce(async () => {
        await held.promise;
        return page([inProject]);
      });
      useTasks.getState().setScope({ projectId: 'p1', assigneeId: '' });
      expect(ids()).toEqual([]);
      expect(useTasks.getState().summary).toBeNull();
      held.resolve();
      await settle(10);
      expect(ids()).toEqual([inProject.id]);
      expect(mock.history.get?.at(-2)?.params).toEqual({ sort: '-createdAt', limit: PAGE_SIZE, projectId: 'p1' });
      expect(mock.history.get?.find((r) => r.url === '/tasks/summary' && r.params)?.params).toEqual({ projectId: 'p1' });
    });

    it('drops a task from “assigned to me” when it is assigned to someone else, and from a project it leaves', async () => {
      const mine = makeTask({ title: 'Mine', assigneeId: USER.id });
      mock.onGet(/\/tasks$/).replyOnce(...page([mine]));
      useTasks.getState().setScope({ projectId: '', assigneeId: 'me' });
      await settle(10);
      expect(mock.history.get?.at(-2)?.params).toMatchObject({ assigneeId: 'me' });
      expect(ids()).toEqual([mine.id]);
      mock.onPatch(/\/tasks\/[^/]+$/).replyOnce(200, { ...mine, assigneeId: 'u2', revision: mine.revision + 1 });
      const reassigned = useTasks.getState().update(mine.id, { assigneeId: 'u2' });
      expect(ids()).toEqual([]);
      expect(await reassigned).toBe(true);
      expect(body(mock.history.patch?.[0])).toEqual({ assigneeId: 'u2' });
    });

    it('takes the answer to a move to another project, whose revision is past the old one', async () => {
      // A moved task's revision only grows (the new project's clock jumps past it first).
      mock.onPatch(/\/tasks\/[^/]+$/).replyOnce(200, { ...a, projectId: 'p9', revision: a.revision + 40 });
      expect(await useTasks.getState().update(a.id, { projectId: 'p9' })).toBe(true);
      mock.onPatch(/\/tasks\/[^/]+$/).replyOnce(200, { ...a, projectId: 'p9', title: 'Renamed', revision: a.revision + 41 });
      expect(await useTasks.getState().update(a.id, { title: 'Renamed' })).toBe(true);
      // The second write names the revision the move left, not the one before it.
      expect(header(mock.history.patch?.[1], 'If-Match')).toBe(`"${a.revision + 40}"`);
    });
  });
});
