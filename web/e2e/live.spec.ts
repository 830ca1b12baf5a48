import { type Page } from '@playwright/test';
import { expect, test } from './policy';
import { apiResponse, createTaskViaUi, liveStatus, loginViaUi, registerViaApi, stat, taskCard, uniqueUser } from './helpers';
import { apiAs, projectLink, shareViaApi } from './projects';

const TASK_PATH = /\/api\/v2\/tasks\/[^/]+$/;

/** Opens the project from the sidebar and waits until its live updates flow. */
async function openProject(page: Page, name: string): Promise<void> {
  await projectLink(page, name).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(liveStatus(page)).toHaveText('Live');
}

test('two members see each other’s changes without a reload, and catch up after being offline', { tag: '@cross-origin' }, async ({
  browser,
  policy,
  page,
  request,
}) => {
  const owner = uniqueUser('live-owner');
  const member = uniqueUser('live-member');
  await registerViaApi(request, owner);
  await registerViaApi(request, member);
  const project = await apiAs(request, owner).createProject('Live board');
  await shareViaApi(request, owner, member, project.id, 'editor');

  await loginViaUi(page, owner);
  const other = await browser.newContext();
  policy.watch(other);
  try {
    const second = await other.newPage();
    await loginViaUi(second, member);
    await openProject(page, 'Live board');
    await openProject(second, 'Live board');
    await expect(liveStatus(page)).toHaveAttribute('role', 'status');

    // A creates: it reaches B, counted.
    await createTaskViaUi(page, { title: 'Draft the agenda' });
    await expect(taskCard(second, 'Draft the agenda')).toBeVisible();
    await expect(stat(second, 'total')).toHaveText('1');

    // B completes it and renames it: A sees both.
    const completed = apiResponse(second, 'PATCH', TASK_PATH);
    await taskCard(second, 'Draft the agenda').getByTestId('task-toggle').click();
    expect((await completed).status()).toBe(200);
    await expect(taskCard(page, 'Draft the agenda')).toHaveAttribute('data-status', 'completed');
    await expect(stat(page, 'completed')).toHaveText('1');
    await taskCard(second, 'Draft the agenda').getByRole('button', { name: 'Edit "Draft the agenda"' }).click();
    const edit = second.getByRole('dialog', { name: 'Edit task' });
    await edit.getByLabel('Title').fill('Draft the final agenda');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(taskCard(page, 'Draft the final agenda')).toBeVisible();
    await expect(taskCard(page, 'Draft the agenda')).toHaveCount(0);

    // A edits it while B has it open in the edit dialog: B is told, and B's draft stays.
    await taskCard(second, 'Draft the final agenda').getByRole('button', { name: 'Edit "Draft the final agenda"' }).click();
    const open = second.getByRole('dialog', { name: 'Edit task' });
    await open.getByLabel('Description').fill('Two pages at most');
    await taskCard(page, 'Draft the final agenda').getByRole('button', { name: 'Edit "Draft the final agenda"' }).click();
    const ownerEdit = page.getByRole('dialog', { name: 'Edit task' });
    await ownerEdit.getByLabel('Priority').selectOption('high');
    await ownerEdit.getByRole('button', { name: 'Save changes' }).click();
    await expect(open.getByTestId('changed-elsewhere')).toContainText('Changed by someone else just now');
    await expect(open.getByTestId('changed-elsewhere-fields')).toHaveText('Priority: High');
    await expect(open.getByLabel('Description')).toHaveValue('Two pages at most');
    // Saving goes through the conflict flow: B keeps both changes.
    await open.getByRole('button', { name: 'Save changes' }).click();
    const conflict = second.getByRole('dialog', { name: 'This task was changed elsewhere' });
    await expect(conflict.getByTestId('conflict-changed-elsewhere')).toHaveText('Priority: Medium → High');
    await conflict.getByRole('button', { name: 'Save my changes' }).click();
    await expect(conflict).toBeHidden();
    await expect(taskCard(page, 'Draft the final agenda')).toContainText('Two pages at most');
    await expect(taskCard(page, 'Draft the final agenda').getByTestId('task-priority')).toHaveText('High priority');

    // A deletes it: gone in B.
    await taskCard(page, 'Draft the final agenda').getByRole('button', { name: 'Delete "Draft the final agenda"' }).click();
    await page.getByRole('dialog', { name: 'Delete task?' }).getByRole('button', { name: 'Delete' }).click();
    await expect(taskCard(second, 'Draft the final agenda')).toHaveCount(0);
    await expect(stat(second, 'total')).toHaveText('0');

    // B goes offline; A makes two changes meanwhile; back online, B catches up.
    await other.setOffline(true);
    await expect(liveStatus(second)).toHaveText('Offline');
    await createTaskViaUi(page, { title: 'Book the room' });
    await createTaskViaUi(page, { title: 'Order lunch' });
    await other.setOffline(false);
    await expect(liveStatus(second)).toHaveText('Live');
    await expect(taskCard(second, 'Book the room')).toBeVisible();
    await expect(taskCard(second, 'Order lunch')).toBeVisible();
    await expect(stat(second, 'total')).toHaveText('2');

    // A's dashboard follows B's change to a task of the shared project.
    await page.getByRole('link', { name: 'All tasks' }).click();
    await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
    await expect(taskCard(page, 'Order lunch')).toHaveAttribute('data-status', 'pending');
    await taskCard(second, 'Order lunch').getByTestId('task-toggle').click();
    await expect(taskCard(page, 'Order lunch')).toHaveAttribute('data-status', 'completed');
    await expect(stat(page, 'completed')).toHaveText('1');
    await expect(liveStatus(page)).toHaveText('Live');
  } finally {
    await other.close();
  }
});

test('a member removed elsewhere loses the project at once; one added gains it', { tag: '@cross-origin' }, async ({ page, request }) => {
  const owner = uniqueUser('live-remover');
  const member = uniqueUser('live-removed');
  await registerViaApi(request, owner);
  await registerViaApi(request, member);
  const asOwner = apiAs(request, owner);
  const project = await asOwner.createProject('Short stay');
  await asOwner.createTask({ title: 'Visible while a member', projectId: project.id });

  await loginViaUi(page, member);
  await expect(liveStatus(page)).toHaveText('Live');
  // Invited and accepted elsewhere (another device): the project joins the sidebar, its tasks
  // the dashboard.
  await shareViaApi(request, owner, member, project.id, 'editor');
  await expect(projectLink(page, 'Short stay')).toBeVisible();
  await expect(taskCard(page, 'Visible while a member')).toBeVisible();
  await openProject(page, 'Short stay');
  await expect(taskCard(page, 'Visible while a member')).toBeVisible();

  // The owner removes them: the page leaves, the project and its tasks go.
  const asMember = apiAs(request, member);
  const memberId = await asMember.me();
  const removed = await asOwner.send('DELETE', `/projects/${project.id}/members/${memberId}`);
  expect(removed.status()).toBe(204);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('toast')).toContainText('You are no longer a member of "Short stay"');
  await expect(projectLink(page, 'Short stay')).toHaveCount(0);
  await expect(taskCard(page, 'Visible while a member')).toHaveCount(0);
});
