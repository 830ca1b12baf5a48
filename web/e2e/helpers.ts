import { expect, type APIRequestContext, type Page, type Response } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_URL = (process.env.E2E_API_URL ?? process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8765').replace(/\/+$/, '');
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

/** Creates an account straight through the API; returns its access token. */
export async function registerViaApi(request: APIRequestContext, user: TestUser): Promise<string> {
  const response = await request.post(`${API_URL}/api/v1/auth/register`, { data: user });
  expect(response.status(), await response.text()).toBe(201);
  const body = (await response.json()) as { data: { accessToken?: string; token?: string } };
  const token = body.data.accessToken ?? body.data.token;
  if (!token) throw new Error('register returned no access token');
  return token;
}

export async function seedTasks(
  request: APIRequestContext,
  token: string,
  tasks: { title: string; description?: string; status?: string; priority?: string; dueDate?: string | null }[],
): Promise<void> {
  for (const task of tasks) {
    const response = await request.post(`${API_URL}/api/v1/tasks`, {
      data: task,
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status(), await response.text()).toBe(201);
  }
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

export async function loginViaUi(page: Page, user: TestUser): Promise<void> {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
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
  const created = apiResponse(page, 'POST', /\/api\/v1\/tasks$/);
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
