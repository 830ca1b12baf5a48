import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { api, expandPath, type Ok, type Operation } from './client';
import type { Task, TaskPatch } from './types';
import { makeTask, mockApi, problemReply, resetStores, signIn } from '../test/helpers';

function headerOf(config: { headers?: unknown }, name: string): unknown {
  const headers = config.headers as ({ get?: (n: string) => unknown } & Record<string, unknown>) | undefined;
  return headers?.get?.(name) ?? headers?.[name];
}

describe('expandPath', () => {
  it('fills in and encodes path parameters', () => {
    expect(expandPath('/tasks/{taskId}', { taskId: 'a b/c' })).toBe('/tasks/a%20b%2Fc');
    expect(expandPath('/tasks', undefined)).toBe('/tasks');
  });

  it('refuses to send a request with a parameter missing', () => {
    expect(() => expandPath('/tasks/{taskId}', {})).toThrow('Missing path parameter "taskId"');
    expect(() => expandPath('/tasks/{taskId}', { taskId: '' })).toThrow(/taskId/);
  });
});

describe('the typed v2 client', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    signIn('token-1');
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('sends the query without empty members and returns the body', async () => {
    const task = makeTask();
    mock.onGet(/\/tasks$/).reply(200, { items: [task], nextCursor: 'c2' });
    const { data, status } = await api.get('/tasks', {
      query: { sort: '-priority,dueDate', limit: 10, search: '', cursor: 'c1' },
    });
    expect(status).toBe(200);
    expect(data).toEqual({ items: [task], nextCursor: 'c2' });
    const sent = mock.history.get?.[0];
    expect(sent?.url).toBe('/tasks');
    expect(sent?.params).toEqual({ sort: '-priority,dueDate', limit: 10, cursor: 'c1' });
    expect(headerOf(sent ?? {}, 'Authorization')).toBe('Bearer token-1');
  });

  it('sends a merge patch with its media type and If-Match, and reads the ETag', async () => {
    const task = makeTask({ revision: 8 });
    mock.onPatch(`/tasks/${task.id}`).reply(200, task, { etag: '"8"' });
    const result = await api.patch('/tasks/{taskId}', {
      path: { taskId: task.id },
      headers: { 'If-Match': '"7"' },
      body: { status: 'completed', dueDate: null },
      contentType: 'application/merge-patch+json',
    });
    expect(result.etag).toBe('"8"');
    expect(result.data).toEqual(task);
    const sent = mock.history.patch?.[0];
    expect(headerOf(sent ?? {}, 'Content-Type')).toBe('application/merge-patch+json');
    expect(headerOf(sent ?? {}, 'If-Match')).toBe('"7"');
    expect(JSON.parse(String(sent?.data))).toEqual({ status: 'completed', dueDate: null });
  });

  it('sends JSON bodies as JSON with the headers the operation takes', async () => {
    mock.onPost('/tasks').reply(201, makeTask({ title: 'Pay rent' }));
    await api.post('/tasks', { body: { title: 'Pay rent' }, headers: { 'Idempotency-Key': 'key-1' } });
    const sent = mock.history.post?.[0];
    expect(String(headerOf(sent ?? {}, 'Content-Type'))).toMatch(/^application\/json/);
    expect(headerOf(sent ?? {}, 'Idempotency-Key')).toBe('key-1');
    expect(JSON.parse(String(sent?.data))).toEqual({ title: 'Pay rent' });
  });

  it('answers 204 with no body', async () => {
    mock.onDelete('/tasks/t-1').reply(204);
    const result = await api.delete('/tasks/{taskId}', { path: { taskId: 't-1' } });
    expect(result.status).toBe(204);
    expect(result.data).toBeUndefined();
  });

  it('rejects with the problem document for a refused call', async () => {
    mock.onGet('/tasks/t-404').reply(...problemReply('not-found', 'Task not found'));
    await expect(api.get('/tasks/{taskId}', { path: { taskId: 't-404' } })).rejects.toMatchObject({
      response: { status: 404, data: { type: '/api/v2/problems/not-found', detail: 'Task not found' } },
    });
  });

  it('types each call from the v2 document', () => {
    // Checked by the type checker (`npm run typecheck`); the calls never run.
    const typed = () => {
      expectTypeOf<Ok<Operation<'get', '/tasks/{taskId}'>>>().toEqualTypeOf<Task>();
      expectTypeOf<Ok<Operation<'delete', '/tasks/{taskId}'>>>().toEqualTypeOf<undefined>();
      expectTypeOf<Ok<Operation<'get', '/tasks'>>>().toEqualTypeOf<{ items: Task[]; nextCursor: string | null }>();
      // @ts-expect-error: no such path in the document
      void api.get('/task');
      // @ts-expect-error: the path parameter is required
      void api.get('/tasks/{taskId}');
      // @ts-expect-error: PATCH takes a merge patch, and says so
      void api.patch('/tasks/{taskId}', { path: { taskId: 'x' }, body: {} });
      // @ts-expect-error: the document has no PATCH on the list
      void api.patch('/tasks', {});
      // @ts-expect-error: `status` takes the document's statuses only
      void api.get('/tasks', { query: { status: 'done' } });
      // @ts-expect-error: a task's title cannot be removed
      const patch: TaskPatch = { title: null };
      void patch;
      void api.post('/auth/refresh', { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    };
    expect(typeof typed).toBe('function');
  });
});
