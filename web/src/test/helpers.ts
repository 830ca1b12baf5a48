import MockAdapter from 'axios-mock-adapter';
import { http } from '../api/http';
import type { Task, User } from '../api/types';
import { useSession } from '../stores/session';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';

export const USER: User = { id: 'u1', email: 'ada@example.com', name: 'Ada' };

export function mockApi(): MockAdapter {
  return new MockAdapter(http);
}

export function signIn(token = 'access-1'): void {
  useSession.getState().setSession(USER, token);
}

export function resetStores(): void {
  useSession.setState({ status: 'restoring', user: null, accessToken: null, notice: null });
  useTasks.getState().reset();
  useUi.setState({ toasts: [], dialog: null });
}

let seq = 0;
export function makeTask(overrides: Partial<Task> = {}): Task {
  seq += 1;
  const created = new Date(Date.UTC(2024, 0, 1, 0, seq)).toISOString();
  return {
    id: `t${seq}`,
    userId: USER.id,
    title: `Task ${seq}`,
    description: '',
    status: 'pending',
    priority: 'medium',
    dueDate: null,
    createdAt: created,
    updatedAt: created,
    ...overrides,
  };
}

export function envelope<T>(data: T, message?: string) {
  return message ? { success: true, data, message } : { success: true, data };
}

export function failure(error: string) {
  return { success: false, error };
}

/** A promise and the function that settles it, to hold a mocked response open. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
