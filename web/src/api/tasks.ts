import { http } from './http';
import type { ApiSuccess, Task, TaskInput, TaskPage, TaskPatch, TaskQuery, TaskSummary } from './types';

/** Fills in fields an older server may omit, so the UI can rely on them. */
export function normalizeTask(raw: Task): Task {
  return {
    ...raw,
    description: raw.description ?? '',
    priority: raw.priority ?? 'medium',
    dueDate: raw.dueDate ?? null,
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`Empty ${what} response`);
  return value;
}

export function queryParams(query: TaskQuery, offset: number, limit: number): Record<string, string | number> {
  const params: Record<string, string | number> = { sort: query.sort, limit, offset };
  const search = query.search.trim();
  if (search) params.search = search;
  if (query.status) params.status = query.status;
  if (query.priority) params.priority = query.priority;
  return params;
}

export async function listTasks(
  query: TaskQuery,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<TaskPage & { hasMore: boolean }> {
  const response = await http.get<ApiSuccess<Task[]>>('/tasks', {
    params: queryParams(query, offset, limit),
    signal,
  });
  const tasks = (response.data.data ?? []).map(normalizeTask);
  const header = Number(response.headers['x-total-count']);
  if (Number.isFinite(header) && String(response.headers['x-total-count'] ?? '') !== '') {
    return { tasks, total: header, hasMore: offset + tasks.length < header };
  }
  // Without the header (e.g. not exposed cross-origin) a full page means "maybe more".
  return { tasks, total: offset + tasks.length, hasMore: tasks.length === limit };
}

export async function fetchSummary(signal?: AbortSignal): Promise<TaskSummary> {
  const { data } = await http.get<ApiSuccess<TaskSummary>>('/tasks/summary', { signal });
  return required(data.data, 'summary');
}

export async function createTask(input: TaskInput): Promise<Task> {
  const { data } = await http.post<ApiSuccess<Task>>('/tasks', input);
  return normalizeTask(required(data.data, 'task'));
}

export async function updateTask(id: string, patch: TaskPatch): Promise<Task> {
  const { data } = await http.put<ApiSuccess<Task>>(`/tasks/${encodeURIComponent(id)}`, patch);
  return normalizeTask(required(data.data, 'task'));
}

export async function deleteTask(id: string): Promise<void> {
  await http.delete(`/tasks/${encodeURIComponent(id)}`);
}
