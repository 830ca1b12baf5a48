import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { API_URL, loginViaApi, type ApiTask, type NewTask, type TestUser } from './helpers';

/** A project as API v2 answers with it. */
export interface ApiProject {
  id: string;
  name: string;
  color: string;
  inbox: boolean;
  archived: boolean;
  role: string;
}

/**
 * Calls API v2 as `user`. The e2e servers' access tokens live 3 s: each call signs in afresh
 * when the last token was refused.
 */
export function apiAs(request: APIRequestContext, user: TestUser) {
  let token = loginViaApi(request, user);
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, data?: unknown, headers: Record<string, string> = {}) => {
    for (let attempt = 0; ; attempt++) {
      const sentWith = token;
      const response = await request.fetch(`${API_URL}/api/v2${path}`, {
        method,
        ...(data === undefined ? {} : { data }),
        headers: { Authorization: `Bearer ${await sentWith}`, ...headers },
      });
      if (response.status() === 401 && attempt < 3) {
        if (token === sentWith) token = loginViaApi(request, user);
        continue;
      }
      return response;
    }
  };
  const ok = async <T>(response: ReturnType<typeof send>, status: number): Promise<T> => {
    const answer = await response;
    expect(answer.status(), await answer.text()).toBe(status);
    return (status === 204 ? undefined : await answer.json()) as T;
  };
  return {
    send,
    createProject: (name: string, color = '#0d9488') => ok<ApiProject>(send('POST', '/projects', { name, color }), 201),
    invite: (projectId: string, email: string, role: string) =>
      ok<{ token: string; link: string }>(send('POST', `/projects/${projectId}/invitations`, { email, role }), 201),
    accept: (token: string) => ok<ApiProject>(send('POST', `/invitations/${token}/accept`), 200),
    createTask: (task: NewTask & { projectId?: string; assigneeId?: string | null }) =>
      ok<ApiTask>(send('POST', '/tasks', task, { 'Idempotency-Key': crypto.randomUUID() }), 201),
    /** The account's id (also its Inbox's). */
    me: async () => (await ok<{ id: string }>(send('GET', '/auth/profile'), 200)).id,
  };
}

/** Gives `guest` a role in `owner`'s project through the API: invited, then accepted. */
export async function shareViaApi(
  request: APIRequestContext,
  owner: TestUser,
  guest: TestUser,
  projectId: string,
  role: 'editor' | 'viewer' | 'owner',
): Promise<void> {
  const { token } = await apiAs(request, owner).invite(projectId, guest.email, role);
  await apiAs(request, guest).accept(token);
}

/** The sidebar's link to a project, by its name (followed by my role there when I do not own it). */
export function projectLink(page: Page, name: string) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByTestId('sidebar').getByRole('link', { name: new RegExp(`^${escaped}( editor| viewer)?$`) });
}

