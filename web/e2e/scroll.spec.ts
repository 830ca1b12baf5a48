import { type Page, type Response } from '@playwright/test';
import { expect, test } from './policy';
import { loginViaUi, registerViaApi, seedTasks, taskCard, uniqueUser } from './helpers';

/** The next list request of the dashboard (a settled one: a 401 is replayed after a refresh). */
function listRequest(page: Page, match: (params: URLSearchParams) => boolean): Promise<Response> {
  return page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === '/api/v2/tasks' && r.request().method() === 'GET' && r.status() !== 401 && match(url.searchParams);
  });
}

test('long lists load page by page by cursor as you scroll', { tag: '@cross-origin' }, async ({ page, request }) => {
  const user = uniqueUser('scroll');
  await registerViaApi(request, user);
  const titles = Array.from({ length: 120 }, (_, i) => `Bulk task ${String(i + 1).padStart(3, '0')}`);
  await seedTasks(
    request,
    user,
    titles.map((title, i) => ({ title, status: i % 3 === 0 ? 'completed' : 'pending' })),
  );

  const first = listRequest(page, (p) => !p.has('cursor'));
  await loginViaUi(page, user);
  const firstPage = await first;
  expect(new URL(firstPage.url()).searchParams.get('limit')).toBe('50');
  const { nextCursor } = (await firstPage.json()) as { nextCursor: string | null };
  expect(nextCursor).toBeTruthy();
  await expect(page.getByTestId('task-card')).toHaveCount(50);
  await expect(page.getByTestId('task-count')).toHaveText('Showing 50 of 120 tasks');

  // Scrolling near the end asks for the next page with the cursor the last one gave.
  const second = listRequest(page, (p) => p.get('cursor') === nextCursor);
  await page.getByTestId('task-card').last().scrollIntoViewIfNeeded();
  expect(new URL((await second).url()).searchParams.get('sort')).toBe('-createdAt');
  await expect(page.getByTestId('task-card')).toHaveCount(100);
  await page.getByTestId('task-card').last().scrollIntoViewIfNeeded();
  await expect(page.getByTestId('task-card')).toHaveCount(120);
  await expect(page.getByText('You have reached the end of the list.')).toBeVisible();
  await expect(page.getByTestId('task-count')).toHaveText('Showing 120 of 120 tasks');
  // Every task once.
  const shown = await page.getByTestId('task-card').locator('h3').allTextContents();
  expect(new Set(shown).size).toBe(120);
  expect([...shown].sort()).toEqual(titles);

  // A new sort starts from the first page; its pages follow on in order.
  await page.evaluate(() => window.scrollTo(0, 0));
  const sorted = listRequest(page, (p) => p.get('sort') === 'title' && !p.has('cursor'));
  await page.getByTestId('sort-select').selectOption('title');
  await sorted;
  await expect(page.getByTestId('task-card')).toHaveCount(50);
  await expect(page.getByTestId('task-card').first().locator('h3')).toHaveText('Bulk task 001');
  const sortedNext = listRequest(page, (p) => p.get('sort') === 'title' && p.has('cursor'));
  await page.getByTestId('task-card').last().scrollIntoViewIfNeeded();
  await sortedNext;
  await expect(page.getByTestId('task-card')).toHaveCount(100);
  await page.getByTestId('task-card').last().scrollIntoViewIfNeeded();
  await expect(page.getByTestId('task-card')).toHaveCount(120);
  expect(await page.getByTestId('task-card').locator('h3').allTextContents()).toEqual(titles);

  // So does a filter: 40 completed tasks, one page, no cursor carried over from the other query.
  await page.evaluate(() => window.scrollTo(0, 0));
  const filtered = listRequest(page, (p) => p.get('status') === 'completed');
  await page.getByTestId('status-filter').selectOption('completed');
  expect(new URL((await filtered).url()).searchParams.has('cursor')).toBe(false);
  await expect(page.getByTestId('task-card')).toHaveCount(40);
  await expect(page.getByTestId('task-count')).toHaveText('Showing 40 of 40 tasks');
  await expect(taskCard(page, 'Bulk task 001')).toHaveCount(1);
  await expect(taskCard(page, 'Bulk task 002')).toHaveCount(0);
});
