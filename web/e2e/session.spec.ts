import { type Page } from '@playwright/test';
import { expect, test } from './policy';
import { apiResponse, createTaskViaUi, loginViaUi, registerViaApi, registerViaUi, screenshot, SESSION_ENDED, taskCard, uniqueUser } from './helpers';

// The refresh cookie lives on /api/v2/auth: the app refreshes there.
const isRefresh = (url: string) => new URL(url).pathname === '/api/v2/auth/refresh';

/** Nothing about the session may be readable by scripts: no token in web storage. */
async function expectNoTokensInStorage(page: Page) {
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(stored).not.toMatch(/token|eyJ/i);
}

/**
 * Waits until `page`, whose session another browser ended, shows the sign-in page: at once
 * through its live connection, else on its next call (at the latest once its short-lived access
 * token expires and the refresh is refused). The sign-in page may replace the dashboard between
 * the look at the URL and the filter: the filter is waited for briefly, and the next round
 * finds the sign-in page.
 */
async function expectSentToSignIn(page: Page) {
  let flip = false;
  await expect(async () => {
    if (!/\/login$/.test(page.url())) {
      flip = !flip;
      await page.getByTestId('status-filter').selectOption(flip ? 'completed' : '', { timeout: 1_000 });
    }
    await expect(page).toHaveURL(/\/login$/, { timeout: 1_500 });
  }).toPass({ timeout: 45_000, intervals: [1_000] });
}

test('the sign-in page explains wrong credentials', async ({ page, request }) => {
  const user = uniqueUser('login');
  await registerViaApi(request, user);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('form-error')).toHaveText('Invalid email or password');
  await expect(page).toHaveURL(/\/login$/);
});

test('a reload keeps you signed in', { tag: '@cross-origin' }, async ({ page }) => {
  const user = uniqueUser('reload');
  await registerViaUi(page, user);
  await createTaskViaUi(page, { title: 'Survive a reload' });
  await expectNoTokensInStorage(page);

  // The refresh token is an httpOnly cookie scoped to v2's auth endpoints, the only ones that need it.
  const httpOnly = (await page.context().cookies()).filter((c) => c.httpOnly);
  expect(httpOnly.length).toBeGreaterThan(0);
  expect(httpOnly.map((c) => c.path)).toEqual(httpOnly.map(() => '/api/v2/auth'));

  const restored = page.waitForResponse((r) => isRefresh(r.url()));
  await page.reload();
  expect((await restored).status()).toBe(200);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('current-user')).toHaveText(user.name);
  await expect(taskCard(page, 'Survive a reload')).toBeVisible();

  // A deep link to another page survives a reload too.
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.reload();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('profile-email')).toHaveText(user.email);
  await expectNoTokensInStorage(page);
});

test('an expired access token is refreshed silently', { tag: '@cross-origin' }, async ({ page }) => {
  const user = uniqueUser('expiry');
  await registerViaUi(page, user);
  await createTaskViaUi(page, { title: 'Before expiry' });

  const refreshes: number[] = [];
  const unauthorized: string[] = [];
  page.on('response', (r) => {
    if (isRefresh(r.url())) refreshes.push(r.status());
    else if (r.status() === 401) unauthorized.push(r.url());
  });

  // The e2e server issues access tokens that live a few seconds. Keep using the app until one
  // expires: the app must then refresh once, replay the refused call and carry on.
  let flip = false;
  await expect(async () => {
    flip = !flip;
    await page.getByTestId('status-filter').selectOption(flip ? 'pending' : '');
    await expect(page.getByTestId('task-card')).toHaveCount(1, { timeout: 2_000 });
    expect(refreshes.length).toBeGreaterThan(0);
  }).toPass({ timeout: 45_000, intervals: [1_000] });

  expect(refreshes).toEqual([200]);
  expect(unauthorized.length).toBeGreaterThan(0);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('toast-error')).toHaveCount(0);
  await expect(taskCard(page, 'Before expiry')).toBeVisible();

  // And the new token works for writes.
  await createTaskViaUi(page, { title: 'After expiry' });
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('a session revoked from another browser ends there on its next action', async ({ browser, page, policy }) => {
  const user = uniqueUser('revoke');
  await registerViaUi(page, user);

  const other = await browser.newContext({
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  });
  policy.watch(other);
  try {
    const second = await other.newPage();
    await loginViaUi(second, user);

    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page).toHaveURL(/\/account$/);
    const sessions = page.getByTestId('session-item');
    await expect(sessions).toHaveCount(2);
    await expect(page.locator('[data-testid="session-item"][data-current="true"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="session-item"][data-current="true"]')).toContainText('This device');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'account');

    const otherSession = page.locator('[data-testid="session-item"][data-current="false"]');
    // The settled answer: the 3 s access token may expire first, and the app refreshes and replays.
    const revoked = apiResponse(page, 'DELETE', /\/auth\/sessions\/[^/]+$/);
    await otherSession.getByTestId('session-revoke').click();
    expect((await revoked).status()).toBe(204);
    await expect(sessions).toHaveCount(1);

    await expectSentToSignIn(second);
    await expect(second.getByTestId('session-notice')).toHaveText(SESSION_ENDED);

    // This browser is still signed in.
    await page.reload();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByTestId('profile-email')).toHaveText(user.email);
  } finally {
    await other.close();
  }
});

test('log out ends the session for good', { tag: '@cross-origin' }, async ({ page }) => {
  const user = uniqueUser('logout');
  await registerViaUi(page, user);
  const loggedOut = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v2/auth/logout');
  await page.getByTestId('logout').click();
  expect((await loggedOut).status()).toBe(204);
  await expect(page).toHaveURL(/\/login$/);

  // The refresh cookie is gone: a reload or a deep link stays signed out.
  await page.reload();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // Signing back in works.
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('log out everywhere signs out every browser', async ({ browser, page, policy }) => {
  const user = uniqueUser('everywhere');
  await registerViaUi(page, user);
  const other = await browser.newContext();
  policy.watch(other);
  try {
    const second = await other.newPage();
    await loginViaUi(second, user);

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByTestId('logout-all').click();
    const dialog = page.getByRole('dialog', { name: 'Log out everywhere?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Log out everywhere' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.reload();
    await expect(page).toHaveURL(/\/login$/);

    await expectSentToSignIn(second);
  } finally {
    await other.close();
  }
});
