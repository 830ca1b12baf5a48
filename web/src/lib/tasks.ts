import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type SortField,
  type SortKey,
  type Task,
  type TaskPatch,
  type TaskPriority,
  type TaskQuery,
  type TaskSort,
  type TaskStatus,
  type TaskSummary,
} from '../api/types';

export const STATUS_LABELS: Record<TaskStatus, string> = {
  pending: 'Pending',
  'in-progress': 'In progress',
  completed: 'Completed',
};

export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

/** The statuses and priorities as select options, in their natural order. */
export const STATUS_OPTIONS: { value: TaskStatus; label: string }[] = TASK_STATUSES.map((value) => ({
  value,
  label: STATUS_LABELS[value],
}));
export const PRIORITY_OPTIONS: { value: TaskPriority; label: string }[] = TASK_PRIORITIES.map((value) => ({
  value,
  label: PRIORITY_LABELS[value],
}));

export const SORT_OPTIONS: { value: TaskSort; label: string }[] = [
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: 'dueDate', label: 'Due date (soonest)' },
  { value: '-dueDate', label: 'Due date (latest)' },
  { value: '-priority', label: 'Priority (high → low)' },
  { value: 'priority', label: 'Priority (low → high)' },
  { value: '-priority,dueDate', label: 'Priority, then due date' },
  { value: 'dueDate,-priority', label: 'Due date, then priority' },
  { value: 'title', label: 'Title (A → Z)' },
  { value: '-title', label: 'Title (Z → A)' },
  { value: '-updatedAt', label: 'Recently updated' },
];

export const DEFAULT_QUERY: TaskQuery = {
  search: '',
  status: '',
  priority: '',
  sort: '-createdAt',
  projectId: '',
  assigneeId: '',
};

const PRIORITY_RANK: Record<TaskPriority, number> = { low: 0, medium: 1, high: 2 };

export function isTempId(id: string): boolean {
  return id.startsWith('temp-');
}

/** A task is overdue when its due moment has passed and it is not completed. */
export function isOverdue(task: Pick<Task, 'dueDate' | 'status'>, now = Date.now()): boolean {
  if (!task.dueDate || task.status === 'completed') return false;
  const due = Date.parse(task.dueDate);
  return Number.isFinite(due) && due < now;
}

/** Whether `task` is in the view's scope (its project, its assignee), whatever the filters. */
export function inScope(task: Task, query: Pick<TaskQuery, 'projectId' | 'assigneeId'>, me: string | null = null): boolean {
  if (query.projectId && task.projectId !== query.projectId) return false;
  return !query.assigneeId || task.assigneeId === (query.assigneeId === 'me' ? me : query.assigneeId);
}

/**
 * Whether `task` belongs in the list the server returns for `query` (mirrors its filters);
 * `me` is the id of the person signed in, whom `assigneeId: 'me'` names.
 */
export function matchesQuery(task: Task, query: TaskQuery, me: string | null = null): boolean {
  if (!inScope(task, query, me)) return false;
  if (query.status && task.status !== query.status) return false;
  if (query.priority && task.priority !== query.priority) return false;
  const needle = query.search.trim().toLowerCase();
  if (needle) {
    return task.title.toLowerCase().includes(needle) || task.description.toLowerCase().includes(needle);
  }
  return true;
}

function parseKey(key: SortKey): { field: SortField; direction: 1 | -1 } {
  return key.startsWith('-')
    ? { field: key.slice(1) as SortField, direction: -1 }
    : { field: key as SortField, direction: 1 };
}

function time(value: string | null): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

function compareBy(a: Task, b: Task, key: SortKey): number {
  const { field, direction } = parseKey(key);
  switch (field) {
    case 'priority':
      return direction * (PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]);
    case 'title':
      return direction * a.title.localeCompare(b.title, undefined, { sensitivity: 'base' });
    case 'dueDate': {
      const ta = time(a.dueDate);
      const tb = time(b.dueDate);
      // Tasks without a due date go last either way.
      if (ta === null || tb === null) return ta === tb ? 0 : ta === null ? 1 : -1;
      return direction * (ta - tb);
    }
    default:
      return direction * ((time(a[field]) ?? 0) - (time(b[field]) ?? 0));
  }
}

/**
 * Orders tasks the way the server's `sort` does (keys in order, ties broken by id: v2 ids grow
 * with creation time); used only to place optimistic changes.
 */
export function compareTasks(a: Task, b: Task, sort: TaskSort): number {
  for (const key of sort.split(',') as SortKey[]) {
    const order = compareBy(a, b, key);
    if (order !== 0) return order;
  }
  return 0;
}

/** `task` with a JSON merge patch applied as the server applies it (null empties a description). */
export function applyPatch(task: Task, patch: TaskPatch): Task {
  const next: Task = { ...task };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.description !== undefined) next.description = patch.description ?? '';
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.priority !== undefined) next.priority = patch.priority;
  if (patch.dueDate !== undefined) next.dueDate = patch.dueDate;
  if (patch.projectId !== undefined) next.projectId = patch.projectId;
  if (patch.assigneeId !== undefined) next.assigneeId = patch.assigneeId;
  return next;
}

/**
 * How many tasks the query matches on the server, when the counts tell (no search or priority
 * filter); null otherwise. v2 lists carry no total: a cursor list needs none.
 */
export function knownTotal(query: TaskQuery, summary: TaskSummary | null): number | null {
  if (!summary || query.search.trim() || query.priority) return null;
  switch (query.status) {
    case '':
      return summary.total;
    case 'pending':
      return summary.pending;
    case 'in-progress':
      return summary.inProgress;
    case 'completed':
      return summary.completed;
  }
}

/**
 * Where a new task goes in the loaded window, or -1 when it sorts after the last loaded task of
 * an incomplete list (the server will return it on a later page).
 */
export function insertionIndex(items: readonly Task[], task: Task, sort: TaskSort, complete: boolean): number {
  const index = items.findIndex((other) => compareTasks(task, other, sort) < 0);
  if (index >= 0) return index;
  return complete ? items.length : -1;
}

/** Adds `sign` times `task`'s contribution to the counts. */
export function adjustSummary(summary: TaskSummary, task: Task, sign: 1 | -1): TaskSummary {
  const next = { ...summary, total: summary.total + sign };
  if (task.status === 'pending') next.pending += sign;
  else if (task.status === 'in-progress') next.inProgress += sign;
  else next.completed += sign;
  if (isOverdue(task)) next.overdue += sign;
  return next;
}

/** The summary after `before` turns into `after` (either may be null for create or delete). */
export function summaryAfter(summary: TaskSummary | null, before: Task | null, after: Task | null): TaskSummary | null {
  if (!summary) return summary;
  let next = summary;
  if (before) next = adjustSummary(next, before, -1);
  if (after) next = adjustSummary(next, after, 1);
  return next;
}

/** A date picker value (YYYY-MM-DD) as the end of that local day, in ISO 8601. */
export function dateInputToIso(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, m, d] = match;
  return new Date(Number(y), Number(m) - 1, Number(d), 23, 59, 59, 999).toISOString();
}

/** An ISO datetime as the local date a date picker shows (YYYY-MM-DD). */
export function isoToDateInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateTimeFormat.format(date);
}
