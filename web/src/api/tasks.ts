import { api } from './client';
import type { ChangePage, Task, TaskInput, TaskPatch, TaskQuery, TaskSummary } from './types';

export interface TaskPage {
  items: Task[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/** A task's ETag, for If-Match: its revision in quotes. */
export function etag(revision: number): string {
  return `"${revision}"`;
}

/** A fresh Idempotency-Key: a random UUID (also where `crypto.randomUUID` is missing: plain http). */
export function newIdempotencyKey(): string {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi.randomUUID === 'function') return cryptoApi.randomUUID();
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The list query as v2 parameters: empty filters are left out; a cursor continues a list. */
export function listParams(query: TaskQuery, limit: number, cursor?: string | null) {
  const search = query.search.trim();
  return {
    sort: query.sort,
    limit,
    ...(search ? { search } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.priority ? { priority: query.priority } : {}),
    ...(query.projectId ? { projectId: query.projectId } : {}),
    ...(query.assigneeId ? { assigneeId: query.assigneeId } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export async function listTasks(
  query: TaskQuery,
  limit: number,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<TaskPage> {
  const { data } = await api.get('/tasks', { query: listParams(query, limit, cursor), signal });
  return { items: data.items, nextCursor: data.nextCursor ?? null };
}

/** The counts of the list's scope: one project's, one assignee's, or every project's. */
export async function fetchSummary(
  scope: Pick<TaskQuery, 'projectId' | 'assigneeId'>,
  signal?: AbortSignal,
): Promise<TaskSummary> {
  const query = {
    ...(scope.projectId ? { projectId: scope.projectId } : {}),
    ...(scope.assigneeId ? { assigneeId: scope.assigneeId } : {}),
  };
  const { data } = await api.get('/tasks/summary', { query, signal });
  return data;
}

export async function fetchTask(taskId: string, signal?: AbortSignal): Promise<Task> {
  const { data } = await api.get('/tasks/{taskId}', { path: { taskId }, signal });
  return data;
}

/** Creates a task; `idempotencyKey` must be the same on every retry of this one creation. */
export async function createTask(input: TaskInput, idempotencyKey: string): Promise<Task> {
  const { data } = await api.post('/tasks', { body: input, headers: { 'Idempotency-Key': idempotencyKey } });
  return data;
}

/** Applies a merge patch to the task at `revision`; a task changed since answers 412. */
export async function updateTask(taskId: string, revision: number, patch: TaskPatch): Promise<Task> {
  const { data } = await api.patch('/tasks/{taskId}', {
    path: { taskId },
    headers: { 'If-Match': etag(revision) },
    body: patch,
    contentType: 'application/merge-patch+json',
  });
  return data;
}

/** Deletes the task at `revision`; a task changed since answers 412. */
export async function deleteTask(taskId: string, revision: number): Promise<void> {
  await api.delete('/tasks/{taskId}', { path: { taskId }, headers: { 'If-Match': etag(revision) } });
}

/**
 * What changed in this person's projects since `cursor` (from every task without one): one page
 * of the delta query; continue with its `nextCursor` while `hasMore`. A cursor older than the
 * deletions the server keeps answers 410 (`cursor-expired`).
 */
export async function fetchChanges(cursor: string | null, signal?: AbortSignal): Promise<ChangePage> {
  const { data } = await api.get('/tasks/changes', { query: cursor ? { cursor, limit: 100 } : { limit: 100 }, signal });
  return data;
}
