import { expect, type APIRequestContext, type BrowserContext, type Page, type Response } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `url` as the tests' own requests (from Node, not the browser) must spell it: Chromium resolves
 * localhost and every *.localhost name to loopback by itself; Node's resolver knows no
 * *.localhost, and may answer localhost with ::1, where the servers (on 127.0.0.1) do not listen.
 */
export function reachable(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === 'localhost' || parsed.hostname.endsWith('.localhost')) parsed.hostname = '127.0.0.1';
  return parsed.toString();
}

/** The API origin, for the tests' own requests. */
export const API_URL = reachable(process.env.E2E_API_URL ?? process.env.E2E_BASE_URL ?? 'http://localhost:8765').replace(
  /\/+$/,
  '',
);
export const SESSION_ENDED = 'Your session has ended. Please sign in again.';

const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

export function uniqueUser(label = 'user'): TestUser {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return { name: `E2E ${label}`, email: `e2e-${label}-${id}@example.com`, password: 'Correct-Horse-42' };
}

/** A task as API v2 answers with it. */
export interface ApiTask {
  id: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  dueDate: string | null;
  revision: number;
}

export interface NewTask {
  title: string;
  description?: string;
  status?: string;
  priority?: string;
  dueDate?: string | null;
}

/** Creates an account straight through API v2; returns its access token. */
export async function registerViaApi(request: APIRequestContext, user: TestUser): Promise<string> {
  const response = await request.post(`${API_URL}/api/v2/auth/register`, { data: user });
  expect(response.status(), await response.text()).toBe(201);
  const body = (await response.json()) as { accessToken?: string };
  if (!body.accessToken) throw new Error('register returned no access token');
  return body.accessToken;
}

/** Signs in through API v2; returns a fresh access token (e2e servers' tokens live seconds). */
export async function loginViaApi(request: APIRequestContext, user: TestUser): Promise<string> {
  const response = await request.post(`${API_URL}/api/v2/auth/login`, {
    data: { email: user.email, password: user.password },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/**
 * Creates tasks through API v2 for `user`, ten at a time (quick to seed; so their creation order
 * is not the order given); returns them. Access tokens of the e2e servers live 3 s: a refused
 * create (401, so not made) is sent again after a fresh sign-in.
 */
export async function seedTasks(request: APIRequestContext, user: TestUser, tasks: NewTask[]): Promise<ApiTask[]> {
  // One sign-in shared by every create that finds the token expired.
  let token = loginViaApi(request, user);
  const create = async (task: NewTask): Promise<ApiTask> => {
    for (let attempt = 0; ; attempt++) {
      const sentWith = token;
      const response = await request.post(`${API_URL}/api/v2/tasks`, {
        data: task,
        headers: { Authorization: `Bearer ${await sentWith}` },
      });
      if (response.status() === 401 && attempt < 3) {
        if (token === sentWith) token = loginViaApi(request, user);
        continue;
      }
      expect(response.status(), await response.text()).toBe(201);
      return (await response.json()) as ApiTask;
    }
  };
  const created: ApiTask[] = [];
  for (let start = 0; start < tasks.length; start += 10) {
    created.push(...(await Promise.all(tasks.slice(start, start + 10).map(create))));
  }
  return created;
}

/** A task as the API has it now. */
export async function taskViaApi(request: APIRequestContext, token: string, id: string): Promise<ApiTask | null> {
  const response = await request.get(`${API_URL}/api/v2/tasks/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status() === 404) return null;
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as ApiTask;
}

/** Every task of the account, following cursors. */
export async function allTasksViaApi(request: APIRequestContext, token: string): Promise<ApiTask[]> {
  const tasks: ApiTask[] = [];
  let cursor: string | null = null;
  do {
    const params: Record<string, string> = { limit: '100', ...(cursor ? { cursor } : {}) };
    const response = await request.get(`${API_URL}/api/v2/tasks`, { params, headers: { Authorization: `Bearer ${token}` } });
    expect(response.status(), await response.text()).toBe(200);
    const page = (await response.json()) as { items: ApiTask[]; nextCursor: string | null };
    tasks.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return tasks;
}

export async function registerViaUi(page: Page, user: TestUser): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
}

/**
 * Sends the email and password from the sign-in page (opened afresh unless `open` is false: the
 * page is there already); what follows is the caller's to check.
 */
export async function submitSignIn(page: Page, user: TestUser, { open = true } = {}): Promise<void> {
  if (open) await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Waits for the dashboard a sign-in lands on. */
export async function expectDashboard(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
}

export async function loginViaUi(page: Page, user: TestUser): Promise<void> {
  await submitSignIn(page, user);
  await expectDashboard(page);
}

/**
 * The settled answer to an API call. Access tokens live 3 s in the e2e servers, so a call may
 * first meet a 401 that the app answers with a refresh and a replay: wait for the replay.
 */
export function apiResponse(page: Page, method: string, path: RegExp): Promise<Response> {
  return page.waitForResponse(
    (r) => r.request().method() === method && path.test(new URL(r.url()).pathname) && r.status() !== 401,
  );
}

/** Opens the account page from the top bar. */
export async function openAccount(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
}

/** An entry of the security log on the account page, by what it says. */
export function logEntry(page: Page, summary: string) {
  return page.getByTestId('security-log').getByText(summary, { exact: true });
}

/**
 * The next `method` request to `path` is refused as the API refuses it once the session's last
 * sign-in or confirmation is over five minutes old: a test cannot wait that long.
 */
export async function refuseOnceForConfirmation(page: Page, path: RegExp, method = 'POST'): Promise<void> {
  let refused = false;
  await page.route(
    (url) => path.test(url.pathname),
    async (route) => {
      if (refused || route.request().method() !== method) return route.fallback();
      refused = true;
      // An API on another origin answers with CORS headers, or the browser hides the answer.
      const origin = route.request().headers().origin;
      await route.fulfill({
        status: 403,
        contentType: 'application/problem+json',
        headers: origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' } : {},
        body: JSON.stringify({
          type: '/api/v2/problems/reauthentication-required',
          title: 'Confirm it is you first',
          status: 403,
          detail: 'Please confirm it is you (your password or a code) before changing how you sign in.',
        }),
      });
    },
  );
}

/** A task's card on the dashboard, found by its title. */
export function taskCard(page: Page, title: string) {
  return page.getByTestId('task-card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

export async function createTaskViaUi(
  page: Page,
  task: { title: string; description?: string; priority?: string; status?: string; dueDate?: string },
): Promise<void> {
  await page.getByTestId('new-task').click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await dialog.getByLabel('Title').fill(task.title);
  if (task.description) await dialog.getByLabel('Description').fill(task.description);
  if (task.status) await dialog.getByLabel('Status').selectOption(task.status);
  if (task.priority) await dialog.getByLabel('Priority').selectOption(task.priority);
  if (task.dueDate) await dialog.getByLabel(/Due date/).fill(task.dueDate);
  const created = apiResponse(page, 'POST', /\/api\/v2\/tasks$/);
  await dialog.getByRole('button', { name: 'Create task' }).click();
  await expect(dialog).toBeHidden();
  expect((await created).status()).toBe(201);
  await expect(taskCard(page, task.title)).toBeVisible();
}

export function stat(page: Page, key: 'total' | 'pending' | 'inProgress' | 'completed' | 'overdue') {
  return page.getByTestId(`stat-${key}`).locator('.stat__value');
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage, animations: 'disabled' });
}

/**
 * Keeps a browser context from hearing live updates (its Socket.IO connection never opens), for
 * specs about a browser that is behind: one whose update has not reached it yet.
 */
export async function withoutLiveUpdates(context: BrowserContext): Promise<void> {
  await context.routeWebSocket(/\/socket\.io\//, (ws) => ws.close());
  await context.route(/\/socket\.io\//, (route) => route.abort());
}

/** The live-updates indicator in the top bar. */
export function liveStatus(page: Page) {
  return page.getByTestId('live-status');
}
