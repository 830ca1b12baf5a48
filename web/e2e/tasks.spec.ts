import { expect, test } from '@playwright/test';
import {
  apiResponse,
  createTaskViaUi,
  registerViaApi,
  registerViaUi,
  loginViaUi,
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
  const updated = apiResponse(page, 'PUT', /\/api\/v1\/tasks\/[^/]+$/);
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  expect((await updated).status()).toBe(200);
  const edited = taskCard(page, 'Publish the release notes');
  await expect(edited.getByTestId('task-status')).toHaveText('In progress');
  await expect(edited.getByTestId('task-due')).toContainText('Mar 14, 2031');
  await expect(stat(page, 'inProgress')).toHaveText('1');
  await expect(stat(page, 'pending')).toHaveText('1');

  // Complete with one click
  const toggle = edited.getByTestId('task-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const completed = apiResponse(page, 'PUT', /\/api\/v1\/tasks\/[^/]+$/);
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
    (r) => new URL(r.url()).pathname === '/api/v1/tasks' && new URL(r.url()).searchParams.get('search') === 'plants',
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
  const deleted = apiResponse(page, 'DELETE', /\/api\/v1\/tasks\/[^/]+$/);
  await confirm.getByRole('button', { name: 'Delete' }).click();
  expect((await deleted).status()).toBe(200);
  await expect(doomed).toHaveCount(0);
  await expect(stat(page, 'total')).toHaveText('1');
  await expect(stat(page, 'completed')).toHaveText('0');

  await page.reload();
  await expect(page.getByTestId('task-card')).toHaveCount(1);
});

test('dashboard screenshots with tasks, light and dark, desktop and phone', async ({ page, request }) => {
  const user = uniqueUser('shots');
  const token = await registerViaApi(request, user);
  const day = 24 * 3600 * 1000;
  await seedTasks(request, token, [
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

  // Make the server refuse writes to this task, answering in the API's error envelope.
  await page.route(/\/api\/v1\/tasks\/[^/]+$/, async (route) => {
    if (route.request().method() === 'GET') return route.fallback();
    await new Promise((r) => setTimeout(r, 800));
    await route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ success: false, error: 'Simulated outage' }),
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
  await page.unroute(/\/api\/v1\/tasks\/[^/]+$/);
});

test('long lists load page by page as you scroll', async ({ page, request }) => {
  const user = uniqueUser('scroll');
  const token = await registerViaApi(request, user);
  await seedTasks(
    request,
    token,
    Array.from({ length: 120 }, (_, i) => ({ title: `Bulk task ${String(i + 1).padStart(3, '0')}` })),
  );
  await loginViaUi(page, user);
  await expect(page.getByTestId('task-card')).toHaveCount(50);
  await expect(page.getByTestId('task-count')).toHaveText('Showing 50 of 120 tasks');

  const pages = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v1/tasks' && new URL(r.url()).searchParams.get('offset') === '50',
  );
  await page.getByTestId('task-card').last().scrollIntoViewIfNeeded();
  const second = await pages;
  expect(new URL(second.url()).searchParams.get('limit')).toBe('50');
  await expect(page.getByTestId('task-card')).toHaveCount(100);
  await page.getByTestId('task-card').last().scrollIntoViewIfNeeded();
  await expect(page.getByTestId('task-card')).toHaveCount(120);
  await expect(page.getByText('You have reached the end of the list.')).toBeVisible();
  await expect(taskCard(page, 'Bulk task 001')).toHaveCount(1);
});
