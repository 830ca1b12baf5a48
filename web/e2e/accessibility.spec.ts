import { type APIRequestContext, type Page } from '@playwright/test';
import { expect, test } from './policy';
import { expectAccessible, expectEveryControlTabbable } from './accessibility';
import {
  API_URL,
  apiResponse,
  loginViaApi,
  loginViaUi,
  registerViaApi,
  seedTasks,
  taskCard,
  uniqueUser,
  type ApiTask,
  type TestUser,
} from './helpers';

type Scheme = 'light' | 'dark';

const DAY = 24 * 3600 * 1000;

/**
 * Either the system's preference picks the scheme, or the theme toggle does (kept in
 * localStorage) against a system preference for the other one.
 */
const VARIANTS: { scheme: Scheme; via: 'system' | 'toggle' }[] = [
  { scheme: 'light', via: 'system' },
  { scheme: 'dark', via: 'system' },
  { scheme: 'light', via: 'toggle' },
  { scheme: 'dark', via: 'toggle' },
];

type Variant = (typeof VARIANTS)[number];

/** Opens the sign-in page painted as `variant` says: system preference, or the toggle over it. */
async function openSignIn(page: Page, { scheme, via }: Variant): Promise<void> {
  const opposite = scheme === 'light' ? 'dark' : 'light';
  await page.emulateMedia({ colorScheme: via === 'system' ? scheme : opposite });
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  if (via === 'toggle') await chooseTheme(page, scheme);
  await expectScheme(page, scheme);
}

/** Clicks the theme toggle (system → light → dark) on to `scheme`, which it remembers. */
async function chooseTheme(page: Page, scheme: Scheme): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  await expect(toggle).toContainText('System');
  await toggle.click();
  if (scheme === 'dark') {
    await expect(toggle).toContainText('Light');
    await toggle.click();
  }
  await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
  expect(await page.evaluate(() => localStorage.getItem('taskmaster.theme'))).toBe(scheme);
}

/** The page is painted in `scheme`: judged by the lightness of the page's own background. */
async function expectScheme(page: Page, scheme: Scheme): Promise<void> {
  await expect(async () => {
    const luminance = await page.evaluate(() => {
      const [r = 0, g = 0, b = 0] = (getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    });
    if (scheme === 'light') expect(luminance).toBeGreaterThan(0.8);
    else expect(luminance).toBeLessThan(0.2);
  }).toPass();
}

/** Changes a task straight through API v2, as another device would. */
async function patchViaApi(request: APIRequestContext, user: TestUser, task: ApiTask, patch: Partial<ApiTask>): Promise<void> {
  const token = await loginViaApi(request, user);
  const response = await request.patch(`${API_URL}/api/v2/tasks/${task.id}`, {
    data: JSON.stringify(patch),
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/merge-patch+json',
      'If-Match': `"${task.revision}"`,
    },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Tasks in every state a card can show: overdue, completed, in progress, without a description. */
function sampleTasks() {
  return [
    { title: 'Renew passport', description: 'Book an appointment at the office', priority: 'high', dueDate: new Date(Date.now() - 3 * DAY).toISOString() },
    { title: 'Review pull requests', description: 'Two waiting since Friday', status: 'completed', priority: 'low' },
    { title: 'Plan team offsite', description: 'Venue, agenda and travel', status: 'in-progress', priority: 'medium', dueDate: new Date(Date.now() + 10 * DAY).toISOString() },
    { title: 'Call the plumber', priority: 'medium' },
  ];
}

for (const variant of VARIANTS) {
  const { scheme, via } = variant;

  test.describe(`the ${scheme} scheme, chosen by the ${via}`, () => {
    // The toggle paints the same variables: one screen shows that it does.
    if (via === 'system') {
      test('sign-in and sign-up pass axe', async ({ page, request }) => {
        const user = uniqueUser(`a11y-${scheme}`);
        await registerViaApi(request, user);
        await openSignIn(page, variant);
        await expectAccessible(page, 'sign-in');
        await page.getByLabel('Email').fill(user.email);
        await page.getByLabel('Password').fill('not-the-password');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await expect(page.getByTestId('form-error')).toHaveText('Invalid email or password');
        await expectAccessible(page, 'sign-in, wrong password');

        await page.getByRole('link', { name: 'Create an account' }).click();
        await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
        await expectScheme(page, scheme);
        await expectAccessible(page, 'sign-up');
        await page.getByRole('button', { name: 'Create account' }).click();
        await expect(page.getByTestId('form-error')).toHaveText('Please provide email, password, and name');
        await expectAccessible(page, 'sign-up, incomplete');
      });
    }

    test('the dashboard passes axe', async ({ page, request }) => {
      const user = uniqueUser(`a11y-${scheme}`);
      await registerViaApi(request, user);
      await openSignIn(page, variant);
      await loginViaUi(page, user);
      await expect(page.getByTestId('task-list-empty')).toContainText('No tasks yet');
      await expectScheme(page, scheme);
      await expectAccessible(page, 'dashboard, no tasks');

      await seedTasks(request, user, sampleTasks());
      await page.reload();
      await expect(page.getByTestId('task-card')).toHaveCount(4);
      await expect(taskCard(page, 'Renew passport').getByTestId('task-overdue')).toBeVisible();
      await expect(taskCard(page, 'Review pull requests').getByTestId('task-toggle')).toHaveAttribute('aria-pressed', 'true');
      await expect(page.getByTestId('stat-overdue').locator('.stat__value')).toHaveText('1');
      await expectAccessible(page, 'dashboard');

      await page.getByLabel('Search').fill('no such task anywhere');
      await expect(page.getByTestId('task-list-empty')).toContainText('No tasks match your filters');
      await expectAccessible(page, 'dashboard, nothing matches');
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect(page.getByTestId('task-card')).toHaveCount(4);
    });

    if (via === 'system') {
      test('the task dialogs pass axe', async ({ page, request }) => {
        const user = uniqueUser(`a11y-${scheme}`);
        await registerViaApi(request, user);
        const seeded = await seedTasks(request, user, sampleTasks());
        await openSignIn(page, variant);
        await loginViaUi(page, user);
        await expect(page.getByTestId('task-card')).toHaveCount(4);

        // The new-task dialog, with the message of a missing title.
        await page.getByTestId('new-task').click();
        const create = page.getByRole('dialog', { name: 'New task' });
        await expect(create.getByLabel('Title')).toBeFocused();
        await create.getByRole('button', { name: 'Create task' }).click();
        await expect(create.getByText('Title is required')).toBeVisible();
        await expectAccessible(page, 'new-task dialog, title missing');
        await page.keyboard.press('Escape');
        await expect(create).toBeHidden();

        // The edit dialog; the task changes elsewhere meanwhile, so saving brings the conflict dialog.
        const passport = seeded.find((t) => t.title === 'Renew passport');
        if (!passport) throw new Error('the overdue task was not seeded');
        await taskCard(page, 'Renew passport').getByRole('button', { name: 'Edit "Renew passport"' }).click();
        const edit = page.getByRole('dialog', { name: 'Edit task' });
        await expect(edit.getByLabel('Title')).toHaveValue('Renew passport');
        await expectAccessible(page, 'edit dialog');
        await patchViaApi(request, user, passport, { description: 'Bring two photos' });
        await edit.getByLabel('Title').fill('Renew the passport');
        const refused = apiResponse(page, 'PATCH', /\/api\/v2\/tasks\/[^/]+$/);
        await edit.getByRole('button', { name: 'Save changes' }).click();
        expect((await refused).status()).toBe(412);
        const conflict = page.getByRole('dialog', { name: 'This task was changed elsewhere' });
        await expect(conflict.getByTestId('conflict-table')).toBeVisible();
        await expectAccessible(page, 'conflict dialog');
        await conflict.getByRole('button', { name: 'Keep the newer version' }).click();
        await expect(conflict).toBeHidden();
        await expect(taskCard(page, 'Renew passport')).toContainText('Bring two photos');

        await taskCard(page, 'Call the plumber').getByRole('button', { name: 'Delete "Call the plumber"' }).click();
        const confirm = page.getByRole('dialog', { name: 'Delete task?' });
        await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
        await expectAccessible(page, 'delete dialog');
        await page.keyboard.press('Escape');
        await expect(confirm).toBeHidden();
      });

      test('the account page and its dialog pass axe', async ({ page, request }) => {
        const user = uniqueUser(`a11y-${scheme}`);
        await registerViaApi(request, user);
        await openSignIn(page, variant);
        await loginViaUi(page, user);
        await page.getByRole('link', { name: 'Account' }).click();
        await expect(page.getByTestId('profile-email')).toHaveText(user.email);
        // The session registering made, beside this one: a row with a Revoke button.
        const otherSession = page.locator('[data-testid="session-item"][data-current="false"]');
        await expect(otherSession).toHaveCount(1);
        await expectScheme(page, scheme);
        await expectAccessible(page, 'account');

        const passwordForm = page.getByTestId('password-form');
        await passwordForm.getByRole('button', { name: 'Change password' }).click();
        await expect(passwordForm.getByRole('alert')).toHaveText('Please provide your current and new password');
        const revoked = apiResponse(page, 'DELETE', /\/auth\/sessions\/[^/]+$/);
        await otherSession.getByTestId('session-revoke').click();
        expect((await revoked).status()).toBe(204);
        await expect(page.getByTestId('toast')).toHaveText('Session revoked.');
        await expectAccessible(page, 'account, password refused, session revoked');

        await page.getByTestId('logout-all').click();
        const everywhere = page.getByRole('dialog', { name: 'Log out everywhere?' });
        await expect(everywhere.getByRole('button', { name: 'Cancel' })).toBeFocused();
        await expectAccessible(page, 'log-out-everywhere dialog');
        await page.keyboard.press('Escape');
        await expect(everywhere).toBeHidden();
      });
    }
  });
}

test('every control of every screen is reachable with Tab', async ({ page, request }) => {
  const user = uniqueUser('tabbing');
  await registerViaApi(request, user);
  await seedTasks(request, user, sampleTasks());

  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectEveryControlTabbable(page, 'sign-in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await expectEveryControlTabbable(page, 'sign-up');

  await loginViaUi(page, user);
  await expect(page.getByTestId('task-card')).toHaveCount(4);
  await expectEveryControlTabbable(page, 'dashboard');
  await page.getByTestId('new-task').click();
  await expect(page.getByRole('dialog', { name: 'New task' }).getByLabel('Title')).toBeFocused();
  await expectEveryControlTabbable(page, 'new-task dialog');
  await page.keyboard.press('Escape');
  await taskCard(page, 'Renew passport').getByRole('button', { name: 'Delete "Renew passport"' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete task?' }).getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectEveryControlTabbable(page, 'delete dialog');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByTestId('session-item')).toHaveCount(3);
  await expectEveryControlTabbable(page, 'account');
  await page.getByTestId('logout-all').click();
  await expect(page.getByRole('dialog', { name: 'Log out everywhere?' }).getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectEveryControlTabbable(page, 'log-out-everywhere dialog');
});

test('sign in, then create, complete, edit and delete a task from the keyboard alone', async ({ page, request }) => {
  const user = uniqueUser('keyboard');
  await registerViaApi(request, user);
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('theme-toggle')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('task-list-empty')).toContainText('No tasks yet');

  // The skip link comes first and leads past the header to the toolbar.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();
  for (const label of ['Search', 'Status', 'Priority', 'Sort by']) {
    await page.keyboard.press('Tab');
    await expect(page.getByLabel(label, { exact: true })).toBeFocused();
  }
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('new-task')).toBeFocused();

  // Enter opens the form; typing fills it, arrows pick a priority, Enter in a field creates.
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await expect(dialog.getByLabel('Title')).toBeFocused();
  await page.keyboard.type('Typed, never clicked');
  await page.keyboard.press('Tab');
  await expect(dialog.getByLabel('Description')).toBeFocused();
  await page.keyboard.type('Made with the keyboard alone');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const priority = dialog.getByLabel('Priority');
  await expect(priority).toBeFocused();
  await expect(priority).toHaveValue('medium');
  await page.keyboard.press('ArrowDown');
  await expect(priority).toHaveValue('high');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByLabel('Title')).toBeFocused();
  const created = apiResponse(page, 'POST', /\/api\/v2\/tasks$/);
  await page.keyboard.press('Enter');
  expect((await created).status()).toBe(201);
  await expect(dialog).toBeHidden();
  const card = taskCard(page, 'Typed, never clicked');
  await expect(card.getByTestId('task-priority')).toHaveText('High priority');
  await expect(card).toContainText('Made with the keyboard alone');
  await expect(page.getByTestId('new-task')).toBeFocused();

  // Space completes it.
  await page.keyboard.press('Tab');
  const toggle = card.getByTestId('task-toggle');
  await expect(toggle).toBeFocused();
  const completed = apiResponse(page, 'PATCH', /\/api\/v2\/tasks\/[^/]+$/);
  await page.keyboard.press('Space');
  expect((await completed).status()).toBe(200);
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(card.getByTestId('task-status')).toHaveText('Completed');

  // Enter on Edit opens the dialog, Escape closes it and gives focus back; Enter saves.
  await page.keyboard.press('Tab');
  const editButton = card.getByTestId('task-edit');
  await expect(editButton).toBeFocused();
  await page.keyboard.press('Enter');
  const edit = page.getByRole('dialog', { name: 'Edit task' });
  await expect(edit.getByLabel('Title')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(edit).toBeHidden();
  await expect(editButton).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(edit.getByLabel('Title')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Typed and renamed');
  const renamed = apiResponse(page, 'PATCH', /\/api\/v2\/tasks\/[^/]+$/);
  await page.keyboard.press('Enter');
  expect((await renamed).status()).toBe(200);
  await expect(edit).toBeHidden();
  const renamedCard = taskCard(page, 'Typed and renamed');
  await expect(renamedCard).toBeVisible();
  await expect(renamedCard.getByTestId('task-edit')).toBeFocused();

  // Delete asks first: Escape keeps the task, Tab to Delete and Enter removes it.
  await page.keyboard.press('Tab');
  await expect(renamedCard.getByTestId('task-delete')).toBeFocused();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Delete task?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(renamedCard.getByTestId('task-delete')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(confirm.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();
  const deleted = apiResponse(page, 'DELETE', /\/api\/v2\/tasks\/[^/]+$/);
  await page.keyboard.press('Enter');
  expect((await deleted).status()).toBe(204);
  await expect(renamedCard).toHaveCount(0);
  await expect(page.getByTestId('task-list-empty')).toContainText('No tasks yet');
});
