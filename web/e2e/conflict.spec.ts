import { type Page, type Response } from '@playwright/test';
import { expect, test } from './policy';
import {
  apiResponse,
  loginViaApi,
  loginViaUi,
  registerViaApi,
  screenshot,
  seedTasks,
  taskCard,
  taskViaApi,
  uniqueUser,
  withoutLiveUpdates,
} from './helpers';

const TASK_PATH = /\/api\/v2\/tasks\/[^/]+$/;

/** Edits a task through its dialog; resolves with the settled PATCH answer. */
async function editTask(
  page: Page,
  title: string,
  change: { title?: string; description?: string; priority?: string },
): Promise<Response> {
  await taskCard(page, title).getByRole('button', { name: `Edit "${title}"` }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit task' });
  await expect(dialog.getByLabel('Title')).toHaveValue(title);
  if (change.title !== undefined) await dialog.getByLabel('Title').fill(change.title);
  if (change.description !== undefined) await dialog.getByLabel('Description').fill(change.description);
  if (change.priority !== undefined) await dialog.getByLabel('Priority').selectOption(change.priority);
  const answer = apiResponse(page, 'PATCH', TASK_PATH);
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  return answer;
}

test('two browsers change one task: the one behind sees the newer version and chooses', { tag: '@cross-origin' }, async ({
  browser,
  policy,
  page,
  request,
}) => {
  const user = uniqueUser('conflict');
  await registerViaApi(request, user);
  const [seeded] = await seedTasks(request, user, [{ title: 'Plan the offsite', description: 'Venue only' }]);
  if (!seeded) throw new Error('no task seeded');
  // Neither browser hears live updates: each in turn is behind, as one is whose update has not
  // arrived yet (live.spec.ts has them arrive).
  await withoutLiveUpdates(page.context());
  await loginViaUi(page, user);
  const other = await browser.newContext();
  policy.watch(other);
  await withoutLiveUpdates(other);
  try {
    const second = await other.newPage();
    await loginViaUi(second, user);
    await expect(taskCard(page, 'Plan the offsite')).toBeVisible();
    await expect(taskCard(second, 'Plan the offsite')).toBeVisible();

    // The first browser renames the task.
    const renamed = await editTask(page, 'Plan the offsite', { title: 'Plan the team offsite' });
    expect(renamed.status()).toBe(200);
    const afterRename = (await renamed.json()) as { revision: number };
    expect(renamed.request().headers()['if-match']).toBe(`"${seeded.revision}"`);
    expect(renamed.headers().etag).toBe(`"${afterRename.revision}"`);

    // The second, still showing the old version, changes the description: refused, it fetches
    // the newer version and shows both.
    const refused = await editTask(second, 'Plan the offsite', { description: 'Venue and agenda' });
    expect(refused.status()).toBe(412);
    expect(refused.request().headers()['if-match']).toBe(`"${seeded.revision}"`);
    const conflict = second.getByRole('dialog', { name: 'This task was changed elsewhere' });
    await expect(conflict).toBeVisible();
    await expect(conflict.getByTestId('conflict-changed-elsewhere')).toHaveText(
      'Title: Plan the offsite → Plan the team offsite',
    );
    const description = conflict.getByTestId('conflict-row-description');
    await expect(description.getByTestId('conflict-mine')).toHaveText('Venue and agenda');
    await expect(description.getByTestId('conflict-theirs')).toHaveText('Venue only');
    await expect(taskCard(second, 'Plan the team offsite')).toBeVisible();
    await expect(second.getByTestId('toast-error')).toHaveCount(0);
    await second.emulateMedia({ colorScheme: 'light' });
    await screenshot(second, 'conflict-dialog', false);

    // It keeps its change: sent again with the newer ETag, over the newer version.
    const kept = apiResponse(second, 'PATCH', TASK_PATH);
    await conflict.getByRole('button', { name: 'Save my changes' }).click();
    const keptAnswer = await kept;
    expect(keptAnswer.status()).toBe(200);
    expect(keptAnswer.request().headers()['if-match']).toBe(`"${afterRename.revision}"`);
    expect(keptAnswer.request().postDataJSON()).toEqual({ description: 'Venue and agenda' });
    await expect(conflict).toBeHidden();
    await expect(taskCard(second, 'Plan the team offsite')).toContainText('Venue and agenda');
    let fresh = await loginViaApi(request, user);
    expect(await taskViaApi(request, fresh, seeded.id)).toMatchObject({
      title: 'Plan the team offsite',
      description: 'Venue and agenda',
      priority: 'medium',
    });

    // Now the first browser is behind: it raises the priority, is shown the newer version, and
    // takes it. Nothing more is written.
    const behind = await editTask(page, 'Plan the team offsite', { priority: 'high' });
    expect(behind.status()).toBe(412);
    const second412 = page.getByRole('dialog', { name: 'This task was changed elsewhere' });
    await expect(second412.getByTestId('conflict-changed-elsewhere')).toHaveText(
      'Description: Venue only → Venue and agenda',
    );
    const priority = second412.getByTestId('conflict-row-priority');
    await expect(priority.getByTestId('conflict-mine')).toHaveText('High');
    await expect(priority.getByTestId('conflict-theirs')).toHaveText('Medium');
    const writes: string[] = [];
    page.on('request', (r) => {
      if (TASK_PATH.test(new URL(r.url()).pathname) && r.method() !== 'GET') writes.push(r.method());
    });
    await second412.getByRole('button', { name: 'Keep the newer version' }).click();
    await expect(second412).toBeHidden();
    const firstCard = taskCard(page, 'Plan the team offsite');
    await expect(firstCard).toContainText('Venue and agenda');
    await expect(firstCard.getByTestId('task-priority')).toHaveText('Medium priority');
    expect(writes).toEqual([]);

    // The first browser completes it; the second, behind again, deletes it: refused, told so,
    // shown the newer version; it deletes anyway.
    const completed = apiResponse(page, 'PATCH', TASK_PATH);
    await firstCard.getByTestId('task-toggle').click();
    expect((await completed).status()).toBe(200);

    const secondCard = taskCard(second, 'Plan the team offsite');
    await secondCard.getByRole('button', { name: 'Delete "Plan the team offsite"' }).click();
    const refusedDelete = apiResponse(second, 'DELETE', TASK_PATH);
    await second.getByRole('dialog', { name: 'Delete task?' }).getByRole('button', { name: 'Delete' }).click();
    expect((await refusedDelete).status()).toBe(412);
    const changed = second.getByRole('dialog', { name: 'This task changed before it was deleted' });
    await expect(changed.getByTestId('conflict-changed-elsewhere')).toHaveText('Status: Pending → Completed');
    await expect(changed.getByTestId('conflict-newer')).toContainText('Completed');
    await expect(secondCard.getByTestId('task-status')).toHaveText('Completed');

    const deleted = apiResponse(second, 'DELETE', TASK_PATH);
    await changed.getByRole('button', { name: 'Delete anyway' }).click();
    expect((await deleted).status()).toBe(204);
    await expect(secondCard).toHaveCount(0);
    fresh = await loginViaApi(request, user);
    expect(await taskViaApi(request, fresh, seeded.id)).toBeNull();
  } finally {
    await other.close();
  }
});
