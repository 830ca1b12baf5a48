import MockAdapter from 'axios-mock-adapter';
import { http } from '../api/http';
import type { Problem, Project, SignedIn, Task, User } from '../api/types';
import { useSession } from '../stores/session';
import { useProjects } from '../stores/projects';
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
  useProjects.getState().reset();
  useUi.setState({ toasts: [], dialog: null });
}

let seq = 0;
export function makeTask(overrides: Partial<Task> = {}): Task {
  seq += 1;
  const created = new Date(Date.UTC(2024, 0, 1, 0, seq)).toISOString();
  return {
    id: `t${seq}`,
    title: `Task ${seq}`,
    description: '',
    status: 'pending',
    priority: 'medium',
    dueDate: null,
    createdAt: created,
    updatedAt: created,
    revision: seq,
    projectId: USER.id,
    assigneeId: null,
    ...overrides,
  };
}

/** A project as API v2 answers with it: by default a second one of USER's, owned by them. */
export function makeProject(overrides: Partial<Project> = {}): Project {
  seq += 1;
  const created = new Date(Date.UTC(2024, 0, 1, 0, seq)).toISOString();
  return {
    id: `p${seq}`,
    name: `Project ${seq}`,
    color: '#4f46e5',
    description: '',
    inbox: false,
    archived: false,
    role: 'owner',
    createdAt: created,
    updatedAt: created,
    version: 1,
    ...overrides,
  };
}

/** A v2 sign-in answer (the browser app gets no refresh token in the body). */
export function signedIn(accessToken: string, user: User = USER): SignedIn {
  return { user, accessToken, expiresIn: 900 };
}

const TITLES: Record<string, string> = {
  'invalid-request': 'The request is invalid',
  'invalid-cursor': 'The cursor is not one this API issued for this query',
  unauthorized: 'Authentication is required',
  'second-factor-required': 'A second factor is required',
  'sign-in-expired': 'This sign-in has expired: start again with the password',
  'reauthentication-required': 'Confirm it is you first',
  'not-found': 'Not found',
  gone: 'Gone',
  conflict: 'Conflict',
  'precondition-failed': 'The resource has changed since the version the request names',
  'rate-limited': 'Too many requests',
  unavailable: 'Service unavailable',
  'internal-error': 'Internal server error',
};

const STATUSES: Record<string, number> = {
  'invalid-request': 400,
  'invalid-cursor': 400,
  unauthorized: 401,
  'second-factor-required': 401,
  'sign-in-expired': 401,
  'reauthentication-required': 403,
  'not-found': 404,
  gone: 410,
  conflict: 409,
  'precondition-failed': 412,
  'rate-limited': 429,
  unavailable: 503,
  'internal-error': 500,
};

/**
 * An RFC 9457 problem document as API v2 sends one, for a mocked reply; `extra` are members of
 * the problem's own (a second step's `challenge`).
 */
export function problem(kind: string, detail: string, errors?: Problem['errors'], extra?: Record<string, unknown>): Problem {
  return {
    type: `/api/v2/problems/${kind}`,
    title: TITLES[kind] ?? kind,
    status: STATUSES[kind] ?? 400,
    detail,
    ...(errors ? { errors } : {}),
    ...extra,
  };
}

export const PROBLEM_HEADERS = { 'content-type': 'application/problem+json' };

/** `[status, problem, headers]`, ready to spread into a MockAdapter `reply`. */
export function problemReply(
  kind: string,
  detail: string,
  errors?: Problem['errors'],
  extra?: Record<string, unknown>,
): [number, Problem, Record<string, string>] {
  const body = problem(kind, detail, errors, extra);
  return [body.status, body, PROBLEM_HEADERS];
}

/** The answer to a right password with two-step sign-in on: 401 and the second step's challenge. */
export function secondStepReply(challenge = 'challenge-1') {
  return problemReply('second-factor-required', 'The password is right. Enter the code from your authenticator app.', null, {
    challenge,
    expiresAt: '2026-12-01T09:35:00.000Z',
    methods: ['totp', 'recovery-code'],
  });
}

/** A promise and the function that settles it, to hold a mocked response open. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits for pending promise callbacks and zero-delay timers to run. */
export function settle(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The titles of the tasks on screen, in order. */
export function shownTitles(): string[] {
  return useTasks.getState().items.map((t) => t.title);
}

/**
 * Signed in, with two pending tasks loaded from a mocked API (Bravo, the newer, first); the
 * counts answer two pending.
 */
export async function loadedWithTwo(): Promise<{ mock: MockAdapter; a: Task; b: Task }> {
  resetStores();
  signIn();
  const mock = mockApi();
  const a = makeTask({ title: 'Alpha' });
  const b = makeTask({ title: 'Bravo' });
  mock.onGet(/\/tasks\/summary$/).reply(200, { total: 2, pending: 2, inProgress: 0, completed: 0, overdue: 0 });
  mock.onGet(/\/tasks$/).replyOnce(200, { items: [b, a], nextCursor: null });
  await useTasks.getState().load();
  return { mock, a, b };
}
