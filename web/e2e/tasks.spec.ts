import { expect, test } from './policy';
import {
  allTasksViaApi,
  apiResponse,
  createTaskViaUi,
  loginViaApi,
  registerViaApi,
  registerViaUi,
  loginViaUi,
  reachable,
  screenshot,
  seedTasks,
  stat,
  taskCard,
  uniqueUser,
} from './helpers';

test('register, then create, edit, complete and delete a task', { tag: '@cross-origin' }, async ({ page }) => {
  const user = uniqueUser('crud');
  await registerViaUi(page, user);

  await expect(page.getByTestId('task-list-empty')).toContainText('No tasks yet');
  await expect(stat(page, 'total')).toHaveText('0');

  // Create
  await createTaskViaUi(page, {
    title: 'Write the release notes',
    description: 'Summarise every change since 1.0',
    priority: 'high',
    dueDate: '2031-03-14',
  });
  const card = taskCard(page, 'Write the release notes');
  await expect(card.getByTestId('task-status')).toHaveText('Pending');
  await expect(card.getByTestId('task-priority')).toHaveText('High priority');
  await expect(card.getByTestId('task-due')).toContainText('Mar 14, 2031');
  await expect(card).toContainText('Summarise every change since 1.0');
  await expect(card.getByTestId('task-created')).toContainText('Created');
  await expect(stat(page, 'total')).toHaveText('1');
  await expect(stat(page, 'pending')).toHaveText('1');

  // A task without a description says so.
  await createTaskViaUi(page, { title: 'Water the plants' });
  await expect(taskCard(page, 'Water the plants')).toContainText('No description provided');
  await expect(stat(page, 'total')).toHaveText('2');

  // Edit
  await card.getByRole('button', { name: 'Edit "Write the release notes"' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit task' });
  await expect(edit.getByLabel('Title')).toHaveValue('Write the release notes');
  await edit.getByLabel('Title').fill('Publish the release notes');
  await edit.getByLabel('Status').selectOption('in-progress');
  const updated = apiResponse(page, 'PATCH', /\/api\/v2\/tasks\/[^/]+$/);
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  const patch = await updated;
  expect(patch.status()).toBe(200);
  // A merge patch of what changed, guarded by the version the dialog showed.
  expect(patch.request().headers()['content-type']).toBe('application/merge-patch+json');
  expect(patch.request().headers()['if-match']).toMatch(/^"\d+"$/);
  expect(patch.request().postDataJSON()).toEqual({ title: 'Publish the release notes', status: 'in-progress' });
  const edited = taskCard(page, 'Publish the release notes');
  await expect(edited.getByTestId('task-status')).toHaveText('In progress');
  await expect(edited.getByTestId('task-due')).toContainText('Mar 14, 2031');
  await expect(stat(page, 'inProgress')).toHaveText('1');
  await expect(stat(page, 'pending')).toHaveText('1');

  // Complete with one click
  const toggle = edited.getByTestId('task-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const completed = apiResponse(page, 'PATCH', /\/api\/v2\/tasks\/[^/]+$/);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(edited.getByTestId('task-status')).toHaveText('Completed');
  expect((await completed).status()).toBe(200);
  await expect(stat(page, 'completed')).toHaveText('1');
  await expect(stat(page, 'inProgress')).toHaveText('0');

  // The server has it: still completed after a reload.
  await page.reload();
  await expect(taskCard(page, 'Publish the release notes').getByTestId('task-status')).toHaveText('Completed');

  // Search and filter go to the server.
  const searched = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v2/tasks' && new URL(r.url()).searchParams.get('search') === 'plants',
  );
  await page.getByLabel('Search').fill('plants');
  await searched;
  await expect(page.getByTestId('task-card')).toHaveCount(1);
  await expect(taskCard(page, 'Water the plants')).toBeVisible();
  await page.getByLabel('Search').fill('');
  await expect(page.getByTestId('task-card')).toHaveCount(2);
  await page.getByTestId('status-filter').selectOption('completed');
  await expect(page.getByTestId('task-card')).toHaveCount(1);
  await expect(taskCard(page, 'Publish the release notes')).toBeVisible();
  await page.getByTestId('status-filter').selectOption('');
  await expect(page.getByTestId('task-card')).toHaveCount(2);

  // Delete, after confirming
  const doomed = taskCard(page, 'Publish the release notes');
  await doomed.getByRole('button', { name: 'Delete "Publish the release notes"' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete task?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(doomed).toBeVisible();
  await doomed.getByRole('button', { name: 'Delete "Publish the release notes"' }).click();
  const deleted = apiResponse(page, 'DELETE', /\/api\/v2\/tasks\/[^/]+$/);
  await confirm.getByRole('button', { name: 'Delete' }).click();
  expect((await deleted).status()).toBe(204);
  expect((await deleted).request().headers()['if-match']).toMatch(/^"\d+"$/);
  await expect(doomed).toHaveCount(0);
  await expect(stat(page, 'total')).toHaveText('1');
  await expect(stat(page, 'completed')).toHaveText('0');

  await page.reload();
  await expect(page.getByTestId('task-card')).toHaveCount(1);
});

test('dashboard screenshots with tasks, light and dark, desktop and phone', async ({ page, request }) => {
  const user = uniqueUser('shots');
  await registerViaApi(request, user);
  const day = 24 * 3600 * 1000;
  await seedTasks(request, user, [
    { title: 'Renew passport', description: 'Book an appointment at the office', priority: 'high', dueDate: new Date(Date.now() - 3 * day).toISOString() },
    { title: 'Plan team offsite', description: 'Venue, agenda and travel for 12 people', status: 'in-progress', priority: 'medium', dueDate: new Date(Date.now() + 10 * day).toISOString() },
    { title: 'Review pull requests', status: 'completed', priority: 'low' },
    { title: 'Prepare quarterly report', description: 'Numbers from finance arrive on Monday', priority: 'high', dueDate: new Date(Date.now() + 2 * day).toISOString() },
    { title: 'Call the plumber', description: 'Kitchen tap is dripping', priority: 'medium' },
    { title: 'Update dependencies', status: 'in-progress', priority: 'low' },
  ]);
  await loginViaUi(page, user);
  await expect(page.getByTestId('task-card')).toHaveCount(6);
  await expect(stat(page, 'total')).toHaveText('6');
  await expect(taskCard(page, 'Renew passport').getByTestId('task-overdue')).toBeVisible();
  await expect(stat(page, 'overdue')).toHaveText('1');

  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'dashboard-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'dashboard-dark');

  // The theme toggle overrides the system preference and remembers the choice.
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').click();
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);

  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 360, height: 780 });
  await expect(page.getByTestId('new-task')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, 'dashboard-mobile', false);

  await page.getByTestId('new-task').click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await screenshot(page, 'task-dialog-mobile', false);
  // Focus stays inside the dialog, wrapping at both ends.
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Close dialog' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Create task' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Close dialog' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'New task' })).toBeHidden();
  await expect(page.getByTestId('new-task')).toBeFocused();
});

test('a refused change is rolled back with a visible message', async ({ page }) => {
  const user = uniqueUser('rollback');
  await registerViaUi(page, user);
  await createTaskViaUi(page, { title: 'Stubborn task' });
  const card = taskCard(page, 'Stubborn task');
  const toggle = card.getByTestId('task-toggle');

  // Make the server refuse writes to this task, answering with a problem document.
  await page.route(/\/api\/v2\/tasks\/[^/]+$/, async (route) => {
    if (route.request().method() === 'GET') return route.fallback();
    await new Promise((r) => setTimeout(r, 800));
    await route.fulfill({
      status: 500,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: '/api/v2/problems/internal-error',
        title: 'Internal server error',
        status: 500,
        detail: 'Simulated outage',
      }),
    });
  });

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('toast-error')).toContainText('Simulated outage');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(card.getByTestId('task-status')).toHaveText('Pending');

  await card.getByRole('button', { name: 'Delete "Stubborn task"' }).click();
  await page.getByRole('dialog', { name: 'Delete task?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(card).toHaveCount(0);
  await expect(card).toBeVisible();
  await expect(page.getByTestId('toast-error').last()).toContainText('Could not delete "Stubborn task"');
  await page.unroute(/\/api\/v2\/tasks\/[^/]+$/);
});

test('a create whose answer was lost is retried with its key, and never makes two tasks', { tag: '@cross-origin' }, async ({ page, request }) => {
  const user = uniqueUser('idempotent');
  await registerViaUi(page, user);

  // The server gets the create and makes the task, but the answer never reaches the app.
  let firstKey: string | undefined;
  await page.route(/\/api\/v2\/tasks$/, async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    const answer = await route.fetch({ url: reachable(route.request().url()) });
    // Access tokens live 3 s here: one that expired on the way is refused (no task made) and the
    // app refreshes and sends the create again. Only the answer of the create that made it is lost.
    if (answer.status() === 401) return route.fulfill({ response: answer });
    expect(answer.status()).toBe(201);
    firstKey = route.request().headers()['idempotency-key'];
    await route.abort('connectionreset');
  });
  await page.getByTestId('new-task').click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title').fill('Pay the rent');
  await dialog.getByRole('button', { name: 'Create task' }).click();
  const card = taskCard(page, 'Pay the rent');
  await expect(card.getByTestId('task-unsaved')).toContainText('Not saved.');
  await page.unroute(/\/api\/v2\/tasks$/);
  expect(firstKey).toMatch(/^[0-9a-f-]{36}$/);

  // The retry sends the same key: the server answers with the task it made, once.
  const retried = apiResponse(page, 'POST', /\/api\/v2\/tasks$/);
  await card.getByTestId('task-retry').click();
  const answer = await retried;
  expect(answer.status()).toBe(201);
  expect(answer.request().headers()['idempotency-key']).toBe(firstKey);
  expect(answer.headers()['idempotent-replayed']).toBe('true');
  await expect(card.getByTestId('task-unsaved')).toHaveCount(0);
  await expect(card.getByTestId('task-edit')).toBeEnabled();
  await expect(stat(page, 'total')).toHaveText('1');

  await page.reload();
  await expect(page.getByTestId('task-card')).toHaveCount(1);
  const token = await loginViaApi(request, user);
  expect((await allTasksViaApi(request, token)).map((t) => t.title)).toEqual(['Pay the rent']);
});
