import { expect, test } from './policy';
import { apiResponse, createTaskViaUi, loginViaUi, registerViaApi, registerViaUi, taskCard, uniqueUser } from './helpers';
import { apiAs, projectLink, shareViaApi } from './projects';

test('an owner shares a project by link; the invitee signs up, accepts, and both see its tasks', async ({ page, browser, policy }) => {
  const owner = uniqueUser('owner');
  const guest = uniqueUser('guest');
  await registerViaUi(page, owner);

  // A project with a name and a colour, from the sidebar; it opens.
  await page.getByRole('button', { name: 'New project' }).click();
  const create = page.getByRole('dialog', { name: 'New project' });
  await expect(create.getByLabel('Name')).toBeFocused();
  await create.getByLabel('Name').fill('Launch');
  await create.getByLabel('Teal').check();
  const made = apiResponse(page, 'POST', /\/api\/v2\/projects$/);
  await create.getByRole('button', { name: 'Create project' }).click();
  expect((await made).request().postDataJSON()).toEqual({ name: 'Launch', color: '#0d9488' });
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Launch' })).toBeVisible();
  await expect(projectLink(page, 'Launch')).toHaveAttribute('aria-current', 'page');

  // Its tasks go into it.
  const created = apiResponse(page, 'POST', /\/api\/v2\/tasks$/);
  await createTaskViaUi(page, { title: 'Book the venue' });
  const projectId = new URL(page.url()).pathname.split('/').pop();
  expect(((await created).request().postDataJSON() as { projectId: string }).projectId).toBe(projectId);

  // Invite by email: no mail goes out, the link shows to be passed on.
  await page.getByTestId('share-project').click();
  const share = page.getByRole('dialog', { name: 'Share "Launch"' });
  await expect(share.getByLabel('Invite by email')).toBeFocused();
  await share.getByLabel('Invite by email').fill(guest.email);
  await share.getByTestId('invite-role').selectOption('editor');
  await share.getByRole('button', { name: 'Invite', exact: true }).click();
  const link = await share.getByTestId('invite-link').inputValue();
  expect(link).toMatch(/\/invitations\/[\w-]+$/);
  await expect(share.getByTestId('invitation')).toContainText(guest.email);
  await expect(share.getByTestId('member')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(share).toBeHidden();

  // The invitee, signed out in another browser, opens the link, signs up and comes back.
  const other = await browser.newContext();
  policy.watch(other);
  try {
    const second = await other.newPage();
    await second.goto(new URL(link).pathname);
    await expect(second.getByRole('heading', { name: 'Join “Launch”' })).toBeVisible();
    await expect(second.getByTestId('invitation-email')).toHaveText(guest.email);
    await second.getByRole('link', { name: 'Create an account' }).click();
    await second.getByLabel('Name').fill(guest.name);
    await second.getByLabel('Email').fill(guest.email);
    await second.getByLabel('Password', { exact: true }).fill(guest.password);
    await second.getByRole('button', { name: 'Create account' }).click();
    await expect(second).toHaveURL(new RegExp(`${new URL(link).pathname}$`));
    const accepted = apiResponse(second, 'POST', /\/invitations\/[^/]+\/accept$/);
    await second.getByTestId('accept-invitation').click();
    expect((await accepted).status()).toBe(200);
    await expect(second).toHaveURL(new RegExp(`/projects/${projectId}$`));
    await expect(second.getByRole('heading', { level: 1, name: 'Launch' })).toBeVisible();
    await expect(taskCard(second, 'Book the venue')).toBeVisible();
    await expect(projectLink(second, 'Launch')).toBeVisible();

    // A task the invitee adds reaches the owner after a reload, and the owner's the invitee.
    await createTaskViaUi(second, { title: 'Bring the banners' });
    await page.reload();
    await expect(taskCard(page, 'Bring the banners')).toBeVisible();
    await createTaskViaUi(page, { title: 'Print the tickets' });
    await second.reload();
    await expect(taskCard(second, 'Print the tickets')).toBeVisible();
    await expect(second.getByTestId('task-card')).toHaveCount(3);

    // Both see each other as members; the link is used up.
    await page.getByTestId('share-project').click();
    await expect(page.getByTestId('member')).toHaveCount(2);
    await expect(page.getByTestId('invitation')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await second.goto(new URL(link).pathname);
    await expect(second.getByTestId('invitation-answered')).toContainText('already been accepted');
  } finally {
    await other.close();
  }
});

test('a viewer sees a shared project read-only, and the server refuses their writes', async ({ page, request }) => {
  const owner = uniqueUser('owner');
  const viewer = uniqueUser('viewer');
  await registerViaApi(request, owner);
  await registerViaApi(request, viewer);
  const asOwner = apiAs(request, owner);
  const project = await asOwner.createProject('Budget');
  const task = await asOwner.createTask({ title: 'Approve the budget', projectId: project.id });
  await shareViaApi(request, owner, viewer, project.id, 'viewer');

  await loginViaUi(page, viewer);
  await projectLink(page, 'Budget').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Budget' })).toBeVisible();
  const card = taskCard(page, 'Approve the budget');
  await expect(card).toBeVisible();
  await expect(page.getByText('You can view this project')).toBeVisible();
  await expect(page.getByTestId('new-task')).toHaveCount(0);
  await expect(card.getByRole('button')).toHaveCount(0);
  // Across projects too: the card of a project they only view has no controls.
  await page.getByRole('link', { name: 'All tasks' }).click();
  await expect(taskCard(page, 'Approve the budget').getByTestId('task-project')).toHaveText('Budget');
  await expect(taskCard(page, 'Approve the budget').getByRole('button')).toHaveCount(0);
  // The share dialog lists the members; a viewer may only leave.
  await projectLink(page, 'Budget').click();
  await page.getByTestId('share-project').click();
  const share = page.getByRole('dialog', { name: 'Share "Budget"' });
  await expect(share.getByTestId('member')).toHaveCount(2);
  await expect(share.getByLabel('Invite by email')).toHaveCount(0);
  await expect(share.getByTestId('remove-member')).toHaveCount(0);
  await expect(share.getByTestId('leave-project')).toHaveCount(1);
  await page.keyboard.press('Escape');

  const refused = await apiAs(request, viewer).send(
    'PATCH',
    `/tasks/${task.id}`,
    JSON.stringify({ status: 'completed' }),
    { 'Content-Type': 'application/merge-patch+json', 'If-Match': `"${task.revision}"` },
  );
  expect(refused.status()).toBe(403);
});

test('Assigned to me shows the tasks assigned to me across projects, and the dialog assigns', async ({ page, request }) => {
  const owner = uniqueUser('owner');
  const me = uniqueUser('assignee');
  await registerViaApi(request, owner);
  await registerViaApi(request, me);
  const asOwner = apiAs(request, owner);
  const asMe = apiAs(request, me);
  const ownerId = await asOwner.me();
  const myId = await asMe.me();
  const project = await asOwner.createProject('Garden', '#16a34a');
  await shareViaApi(request, owner, me, project.id, 'editor');
  await asOwner.createTask({ title: 'Plant the roses', projectId: project.id, assigneeId: myId });
  await asOwner.createTask({ title: 'Mow the lawn', projectId: project.id, assigneeId: ownerId });
  await asOwner.createTask({ title: 'Water the beds', projectId: project.id });
  await asMe.createTask({ title: 'File my taxes', assigneeId: myId });
  await asMe.createTask({ title: 'Call mum' });

  await loginViaUi(page, me);
  const listed = page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === '/api/v2/tasks' && url.searchParams.get('assigneeId') === 'me' && r.status() === 200;
  });
  await page.getByRole('link', { name: 'Assigned to me' }).click();
  await listed;
  await expect(page.getByRole('heading', { level: 1, name: 'Assigned to me' })).toBeVisible();
  await expect(page.getByTestId('task-card')).toHaveCount(2);
  await expect(taskCard(page, 'Plant the roses').getByTestId('task-assignee')).toHaveText('Assigned to you');
  await expect(taskCard(page, 'Plant the roses').getByTestId('task-project')).toHaveText('Garden');
  await expect(taskCard(page, 'File my taxes').getByTestId('task-project')).toHaveText('Inbox');
  await expect(page.getByTestId('stat-total').locator('.stat__value')).toHaveText('2');

  // In the project, the owner's task names its assignee; the dialog assigns one to me.
  await projectLink(page, 'Garden').click();
  await expect(page.getByTestId('task-card')).toHaveCount(3);
  await expect(taskCard(page, 'Mow the lawn').getByTestId('task-assignee')).toHaveText(`Assigned to ${owner.name}`);
  await taskCard(page, 'Water the beds').getByRole('button', { name: 'Edit "Water the beds"' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit task' });
  await expect(edit.getByLabel('Project')).toHaveValue(project.id);
  await edit.getByLabel('Assignee').selectOption({ label: me.name });
  const patched = apiResponse(page, 'PATCH', /\/api\/v2\/tasks\/[^/]+$/);
  await edit.getByRole('button', { name: 'Save changes' }).click();
  expect((await patched).request().postDataJSON()).toEqual({ assigneeId: myId });
  await expect(taskCard(page, 'Water the beds').getByTestId('task-assignee')).toHaveText('Assigned to you');

  await page.getByRole('link', { name: 'Assigned to me' }).click();
  await expect(page.getByTestId('task-card')).toHaveCount(3);
  await expect(taskCard(page, 'Mow the lawn')).toHaveCount(0);
  await expect(taskCard(page, 'Call mum')).toHaveCount(0);
});

test('the project dialogs open, work and close from the keyboard', async ({ page, request }) => {
  const user = uniqueUser('keys');
  await registerViaApi(request, user);
  await loginViaUi(page, user);
  await expect(projectLink(page, 'Inbox')).toBeVisible();

  // New project: Enter opens, the name is focused, arrows pick a colour, Enter creates.
  const newProject = page.getByRole('button', { name: 'New project' });
  await newProject.focus();
  await page.keyboard.press('Enter');
  const create = page.getByRole('dialog', { name: 'New project' });
  await expect(create.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(create).toBeHidden();
  await expect(newProject).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(create.getByLabel('Name')).toBeFocused();
  await page.keyboard.type('Keyboard only');
  await page.keyboard.press('Tab');
  await expect(create.getByLabel('Indigo')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(create.getByLabel('Blue')).toBeChecked();
  await page.keyboard.press('Shift+Tab');
  const made = apiResponse(page, 'POST', /\/api\/v2\/projects$/);
  await page.keyboard.press('Enter');
  expect((await made).request().postDataJSON()).toEqual({ name: 'Keyboard only', color: '#2563eb' });
  await expect(create).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'Keyboard only' })).toBeVisible();

  // Share: Enter opens with the email focused, Escape closes and gives focus back.
  const shareButton = page.getByTestId('share-project');
  await shareButton.focus();
  await page.keyboard.press('Enter');
  const share = page.getByRole('dialog', { name: 'Share "Keyboard only"' });
  await expect(share.getByLabel('Invite by email')).toBeFocused();
  await page.keyboard.type('friend@example.com');
  await page.keyboard.press('Enter');
  await expect(share.getByTestId('invite-link')).toHaveValue(/\/invitations\/[\w-]+$/);
  await expect(share.getByTestId('invitation')).toHaveCount(1);
  await share.getByRole('button', { name: 'Revoke the invitation for friend@example.com' }).focus();
  await page.keyboard.press('Enter');
  await expect(share.getByTestId('invitation')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(share).toBeHidden();
  await expect(shareButton).toBeFocused();

  // Settings: rename with Enter, then archive; the archived project waits under "Archived".
  const settings = page.getByRole('button', { name: 'Settings of "Keyboard only"' });
  await settings.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Project settings' });
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Renamed by keys');
  const renamed = apiResponse(page, 'PATCH', /\/api\/v2\/projects\/[^/]+$/);
  await page.keyboard.press('Enter');
  expect((await renamed).request().postDataJSON()).toEqual({ name: 'Renamed by keys' });
  await expect(dialog).toBeHidden();
  await expect(projectLink(page, 'Renamed by keys')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Renamed by keys' })).toBeVisible();

  await page.getByRole('button', { name: 'Settings of "Renamed by keys"' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await dialog.getByTestId('project-archive').focus();
  const archived = apiResponse(page, 'PATCH', /\/api\/v2\/projects\/[^/]+$/);
  await page.keyboard.press('Enter');
  expect((await archived).request().postDataJSON()).toEqual({ archived: true });
  await expect(dialog).toBeHidden();
  const toggle = page.getByTestId('archived-toggle');
  await expect(toggle).toHaveText(/Archived \(1\)/);
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(projectLink(page, 'Renamed by keys')).toBeHidden();
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(projectLink(page, 'Renamed by keys')).toBeVisible();

  // Delete asks first; Escape keeps it, the confirmed delete removes it and its tasks.
  await page.getByRole('button', { name: 'Settings of "Renamed by keys"' }).focus();
  await page.keyboard.press('Enter');
  await dialog.getByTestId('project-delete').focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Delete project?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(projectLink(page, 'Renamed by keys')).toBeVisible();
  await page.getByRole('button', { name: 'Settings of "Renamed by keys"' }).focus();
  await page.keyboard.press('Enter');
  await dialog.getByTestId('project-delete').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(confirm.getByRole('button', { name: 'Delete project' })).toBeFocused();
  const deleted = apiResponse(page, 'DELETE', /\/api\/v2\/projects\/[^/]+$/);
  await page.keyboard.press('Enter');
  expect((await deleted).status()).toBe(204);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('archived-toggle')).toHaveCount(0);
});
