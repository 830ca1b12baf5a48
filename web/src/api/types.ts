/** Wire types of the TaskMaster v1 API (see shared/mvp-contract.md). */

export interface ApiSuccess<T> {
  success: true;
  data?: T;
  message?: string;
}

export interface ApiFailure {
  success: false;
  error: string;
}

export type ApiEnvelope<T> = ApiSuccess<T> | ApiFailure;

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface Profile extends User {
  createdAt: string;
}

export interface AuthPayload {
  user: User;
  /** The MVP's name for the access token; kept alongside `accessToken`. */
  token?: string;
  accessToken?: string;
  refreshToken?: string;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export const TASK_STATUSES = ['pending', 'in-progress', 'completed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'medium', 'high'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const SORT_FIELDS = ['createdAt', 'dueDate', 'priority', 'title', 'updatedAt'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type TaskSort = SortField | `-${SortField}`;

export interface Task {
  id: string;
  userId: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TaskInput {
  title: string;
  description?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueDate?: string | null;
}

export type TaskPatch = Partial<TaskInput>;

export interface TaskQuery {
  search: string;
  status: TaskStatus | '';
  priority: TaskPriority | '';
  sort: TaskSort;
}

export interface TaskSummary {
  total: number;
  pending: number;
  inProgress: number;
  completed: number;
  overdue: number;
}

export interface TaskPage {
  tasks: Task[];
  total: number;
}
