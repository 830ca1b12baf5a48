import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import type { Task, TaskSummary } from '../api/types';
import { useSession } from './session';
import { PAGE_SIZE, useTasks } from './tasks';
import { useUi } from './ui';
import { deferred, envelope, failure, makeTask, mockApi, resetStores, signIn } from '../test/helpers';

const SUMMARY: TaskSummary = { total: 3, pending: 2, inProgress: 0, completed: 1, overdue: 0 };

function listReply(tasks: Task[], total = tasks.length): [number, unknown, Record<string, string>] {
  return [200, envelope(tasks), { 'x-total-count': String(total) }];
}

function errors(): string[] {
  return useUi.getState().toasts.filter((t) => t.kind === 'error').map((t) => t.message);
}

describe('tasks store', () => {
  let mock: MockAdapter;
  let a: Task, b: Task, c: Task;

  beforeEach(async () => {
    resetStores();
    signIn();
    mock = mockApi();
    c = makeTask({ title: 'Write report', status: 'completed' });
    b = makeTask({ title: 'Buy milk', description: 'Two litres' });
    a = makeTask({ title: 'Call Bob', priority: 'high' });
    mock.onGet(/\/tasks\/summary$/).reply(200, envelope(SUMMARY));
    mock.onGet(/\/tasks$/).replyOnce(...listReply([a, b, c]));
    await useTasks.getState().load();
    await useTasks.getState().loadSummary();
  });

  afterEach(() => mock.restore());

  describe('loading', () => {
    it('loads the first page with the query as parameters', () => {
      const s = useTasks.getState();
      expect(s.items.map((t) => t.id)).toEqual([a.id, b.id, c.id]);
      expect(s.total).toBe(3);
      expect(s.hasMore).toBe(false);
      expect(s.listStatus).toBe('ready');
      expect(s.summary).toEqual(SUMMARY);
      expect(mock.history.get?.[0]?.params).toEqual({ sort: '-createdAt', limit: PAGE_SIZE, offset: 0 });
    });

    it('sends search and filters to the server and drops a superseded response', async () => {
      const slow = deferred();
      mock.onGet(/\/tasks$/).replyOnce(async () => {
        await slow.promise;
        return listReply([a, b, c]);
      });
      mock.onGet(/\/tasks$/).replyOnce(...listReply([b]));

      useTasks.getState().setQuery({ search: 'milk' });
      // Let the first request reach the server before the second query replaces it.
      await new Promise((r) => setTimeout(r, 5));
      expect(mock.history.get).toHaveLength(3);
      useTasks.getState().setQuery({ status: 'pending', priority: 'medium', sort: 'title' });
      await new Promise((r) => setTimeout(r, 10));
      slow.resolve();
      await new Promise((r) => setTimeout(r, 10));

      expect(useTasks.getState().items.map((t) => t.id)).toEqual([b.id]);
      expect(mock.history.get?.at(-1)?.params).toEqual({
        search: 'milk',
        status: 'pending',
        priority: 'medium',
        sort: 'title',
        limit: PAGE_SIZE,
        offset: 0,
      });
    });

    it('pages on with an offset, appending without duplicates', async () => {
      const page1 = Array.from({ length: PAGE_SIZE }, () => makeTask());
      const page2 = [page1[PAGE_SIZE - 1] as Task, makeTask(), makeTask()];
      mock.onGet(/\/tasks$/).replyOnce(...listReply(page1, PAGE_SIZE + 2));
      mock.onGet(/\/tasks$/).replyOnce(...listReply(page2, PAGE_SIZE + 2));
      await useTasks.getState().load();
      expect(useTasks.getState().hasMore).toBe(true);

      await useTasks.getState().loadMore();
      const s = useTasks.getState();
      expect(mock.history.get?.at(-1)?.params).toMatchObject({ offset: PAGE_SIZE, limit: PAGE_SIZE });
      expect(s.items).toHaveLength(PAGE_SIZE + 2);
      expect(new Set(s.items.map((t) => t.id)).size).toBe(PAGE_SIZE + 2);
      expect(s.hasMore).toBe(false);
    });

    it('shows the server error when the list cannot be loaded', async () => {
      mock.onGet(/\/tasks$/).replyOnce(500, failure('Database unavailable'));
      await useTasks.getState().load();
      expect(useTasks.getState()).toMatchObject({ listStatus: 'error', listError: 'Database unavailable' });
    });
  });

  describe('optimistic create', () => {
    it('shows the task at once and swaps in the saved one', async () => {
      const saved = makeTask({ title: 'New one', createdAt: new Date().toISOString() });
      const gate = deferred();
      mock.onPost(/\/tasks$/).replyOnce(async () => {
        await gate.promise;
        return [201, envelope(saved, 'Task created successfully')];
      });

      const pending = useTasks.getState().create({ title: 'New one', status: 'pending' });
      let s = useTasks.getState();
      expect(s.items[0]).toMatchObject({ title: 'New one', status: 'pending' });
      expect(s.items[0]?.id.startsWith('temp-')).toBe(true);
      expect(s.total).toBe(4);
      expect(s.summary).toMatchObject({ total: 4, pending: 3 });

      gate.resolve();
      await expect(pending).resolves.toEqual(saved);
      s = useTasks.getState();
      expect(s.items[0]).toEqual(saved);
      expect(s.items).toHaveLength(4);
      expect(Object.keys(s.saving)).toHaveLength(0);
    });

    it('rolls back with a toast when the server refuses', async () => {
      mock.onPost(/\/tasks$/).replyOnce(400, failure('Title is required'));
      const result = await useTasks.getState().create({ title: '  x ' });
      const s = useTasks.getState();
      expect(result).toBeNull();
      expect(s.items.map((t) => t.id)).toEqual([a.id, b.id, c.id]);
      expect(s.total).toBe(3);
      expect(s.summary).toEqual(SUMMARY);
      expect(errors()).toEqual(['Could not create "  x ": Title is required']);
    });
  });

  describe('optimistic update', () => {
    it('marks complete at once and keeps the server version', async () => {
      const gate = deferred();
      mock.onPut(new RegExp(`/tasks/${b.id}$`)).replyOnce(async (config) => {
        await gate.promise;
        return [200, envelope({ ...b, ...(JSON.parse(String(config.data)) as object), updatedAt: 'server' })];
      });
      const pending = useTasks.getState().toggleComplete(b.id);
      expect(useTasks.getState().items[1]?.status).toBe('completed');
      expect(useTasks.getState().summary).toMatchObject({ pending: 1, completed: 2 });
      expect(useTasks.getState().saving[b.id]).toBe(true);

      gate.resolve();
      await expect(pending).resolves.toBe(true);
      expect(useTasks.getState().items[1]).toMatchObject({ status: 'completed', updatedAt: 'server' });
      expect(JSON.parse(String(mock.history.put?.[0]?.data))).toEqual({ status: 'completed' });
    });

    it('rolls back the changed fields with a toast when the server refuses', async () => {
      mock.onPut(new RegExp(`/tasks/${a.id}$`)).replyOnce(500, failure('Internal error'));
      const ok = await useTasks.getState().update(a.id, { title: 'Renamed', priority: 'low' });
      const s = useTasks.getState();
      expect(ok).toBe(false);
      expect(s.items[0]).toEqual(a);
      expect(s.summary).toEqual(SUMMARY);
      expect(errors()).toEqual(['Could not update "Call Bob": Internal error']);
    });

    it('takes a task out of a filtered list and puts it back in place on failure', async () => {
      mock.onGet(/\/tasks$/).replyOnce(...listReply([a, b]));
      useTasks.getState().setQuery({ status: 'pending' });
      await new Promise((r) => setTimeout(r, 0));
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([a.id, b.id]);

      const gate = deferred();
      mock.onPut(new RegExp(`/tasks/${a.id}$`)).replyOnce(async () => {
        await gate.promise;
        return [404, failure('Task not found')];
      });
      const pending = useTasks.getState().toggleComplete(a.id);
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([b.id]);
      expect(useTasks.getState().total).toBe(1);

      gate.resolve();
      await pending;
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([a.id, b.id]);
      expect(useTasks.getState().total).toBe(2);
      expect(errors()).toEqual(['Could not update "Call Bob": Task not found']);
    });
  });

  describe('optimistic delete', () => {
    it('removes at once and restores at the same index when refused', async () => {
      const gate = deferred();
      mock.onDelete(new RegExp(`/tasks/${b.id}$`)).replyOnce(async () => {
        await gate.promise;
        return [503, failure('Service unavailable')];
      });
      const pending = useTasks.getState().remove(b.id);
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([a.id, c.id]);
      expect(useTasks.getState().summary).toMatchObject({ total: 2, pending: 1 });

      gate.resolve();
      await expect(pending).resolves.toBe(false);
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([a.id, b.id, c.id]);
      expect(useTasks.getState().summary).toEqual(SUMMARY);
      expect(errors()).toEqual(['Could not delete "Buy milk": Service unavailable']);
    });

    it('keeps the task removed when it was already gone', async () => {
      mock.onDelete(new RegExp(`/tasks/${b.id}$`)).replyOnce(404, failure('Task not found'));
      await expect(useTasks.getState().remove(b.id)).resolves.toBe(true);
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([a.id, c.id]);
      expect(errors()).toEqual([]);
    });

    it('deletes for good when the server agrees', async () => {
      mock.onDelete(new RegExp(`/tasks/${c.id}$`)).replyOnce(200, { success: true, message: 'Task deleted successfully' });
      await expect(useTasks.getState().remove(c.id)).resolves.toBe(true);
      expect(useTasks.getState().items.map((t) => t.id)).toEqual([a.id, b.id]);
      expect(useTasks.getState().total).toBe(2);
    });
  });

  it('forgets everything when the session ends', () => {
    useSession.getState().clearSession();
    expect(useTasks.getState()).toMatchObject({ items: [], summary: null, listStatus: 'idle', total: 0 });
  });
});
