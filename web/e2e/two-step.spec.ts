import { type APIRequestContext } from '@playwright/test';
import { expect, test } from './policy';
import { expectAccessible } from './accessibility';
import {
  API_URL,
  apiResponse,
  expectDashboard,
  logEntry,
  loginViaApi,
  loginViaUi,
  openAccount,
  refuseOnceForConfirmation,
  registerViaApi,
  submitSignIn,
  uniqueUser,
  type TestUser,
} from './helpers';
import { Authenticator } from './totp';

const WRONG_CODE = 'This code is not valid. Enter the code your app shows now, or a recovery code.';

/**
 * Turns two-step sign-in on for `user` straight through API v2, just after a sign-in (which
 * counts as a recent confirmation); the app that holds the secret, and the recovery codes.
 */
async function enableTwoStepViaApi(request: APIRequestContext, user: TestUser) {
  const headers = { Authorization: `Bearer ${await loginViaApi(request, user)}` };
  const begun = await request.post(`${API_URL}/api/v2/auth/totp/enrolment`, { headers });
  expect(begun.status(), await begun.text()).toBe(201);
  const app = new Authenticator(((await begun.json()) as { secret: string }).secret);
  const confirmed = await request.post(`${API_URL}/api/v2/auth/totp/confirmation`, {
    headers,
    data: { code: app.code() },
  });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
  return { app, recoveryCodes: ((await confirmed.json()) as { recoveryCodes: string[] }).recoveryCodes };
}

test('two-step sign-in: set up with an authenticator app, then sign in with its code', { tag: '@cross-origin' }, async ({ page, request }) => {
  const user = uniqueUser('two-step');
  await registerViaApi(request, user);
  await loginViaUi(page, user);
  await openAccount(page);
  const section = page.getByTestId('two-step');
  await expect(section.getByTestId('two-step-status')).toContainText('Off.');

  // Set up: the QR code, and the key as text for those who type it (this test's "app" reads that).
  await section.getByRole('button', { name: 'Set up' }).click();
  await expect(section.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = ((await section.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await expectAccessible(page, 'two-step set-up');
  const app = new Authenticator(secret);
  await section.getByLabel('Authentication code').fill(app.code());
  await section.getByRole('button', { name: 'Turn on' }).click();

  // The recovery codes, shown once.
  const codes = section.getByTestId('recovery-code');
  await expect(codes).toHaveCount(10);
  await expect(codes.first()).toHaveText(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  await expectAccessible(page, 'recovery codes');
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(codes).toHaveCount(0);
  await expect(section.getByTestId('two-step-status')).toHaveText(/^On since /);
  await expect(section.getByTestId('recovery-codes-left')).toHaveText('10 codes left');

  // Signed out and back: the password alone no longer signs in. The way in starts at a deep link.
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  await submitSignIn(page, user, { open: false });
  await expect(page.getByText('Enter the 6-digit code from your authenticator app.')).toBeVisible();
  const code = page.getByLabel('Authentication code');
  await expect(code).toBeFocused();
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(code).toHaveAttribute('inputmode', 'numeric');
  await expect(page).toHaveURL(/\/login$/);
  await expectAccessible(page, 'sign-in, second step');

  await code.fill(app.wrongCode());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('form-error')).toHaveText(WRONG_CODE);
  await code.fill(app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  // As after any sign-in: on to where the person was going.
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('profile-email')).toHaveText(user.email);

  // A session like any other: the refresh cookie of the second step keeps it over a reload.
  await page.reload();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('security-event').first()).toContainText('Signed in with password and app code');
  await expect(logEntry(page, 'Failed sign-in: wrong app code')).toBeVisible();
  await expect(logEntry(page, 'Two-step sign-in turned on')).toBeVisible();
  await expect(logEntry(page, 'Account created')).toBeVisible();
});

test('a recovery code signs in; changing how you sign in asks who is there first', async ({ page, request }) => {
  const user = uniqueUser('recovery');
  await registerViaApi(request, user);
  const { app, recoveryCodes } = await enableTwoStepViaApi(request, user);
  const [firstCode = ''] = recoveryCodes;

  await submitSignIn(page, user);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await expect(page.getByText(/^Enter one of the recovery codes/)).toBeVisible();
  await page.getByLabel('Recovery code').fill(firstCode.toUpperCase()); // case does not matter
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectDashboard(page);

  await openAccount(page);
  const section = page.getByTestId('two-step');
  await expect(section.getByTestId('recovery-codes-left')).toHaveText('9 codes left');
  await expect(logEntry(page, 'Signed in with password and recovery code')).toBeVisible();
  await expect(logEntry(page, 'Recovery code used (9 codes left)')).toBeVisible();

  // New recovery codes need a recent confirmation: the app asks for it, then carries on.
  await refuseOnceForConfirmation(page, /\/api\/v2\/auth\/totp\/recovery-codes$/);
  await section.getByRole('button', { name: 'New recovery codes' }).click();
  const confirm = page.getByRole('dialog', { name: "Confirm it's you" });
  await expect(confirm.getByLabel('Password')).toBeFocused();
  await expectAccessible(page, 'confirm-it-is-you dialog');
  await confirm.getByLabel('Password').fill(user.password);
  const confirmed = apiResponse(page, 'POST', /\/auth\/reauthenticate$/);
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  expect((await confirmed).status()).toBe(204);
  await expect(confirm).toBeHidden();
  const renewed = section.getByTestId('recovery-code');
  await expect(renewed).toHaveCount(10);
  expect(await renewed.allTextContents()).not.toContain(recoveryCodes[1]);
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section.getByTestId('recovery-codes-left')).toHaveText('10 codes left');

  // Turning it off takes a code from the app.
  await section.getByRole('button', { name: 'Turn off' }).click();
  const turnOff = page.getByRole('dialog', { name: 'Turn off two-step sign-in?' });
  await turnOff.getByLabel('Authentication code').fill(app.code());
  await turnOff.getByRole('button', { name: 'Turn off' }).click();
  await expect(turnOff).toBeHidden();
  await expect(section.getByTestId('two-step-status')).toContainText('Off.');
  await expect(logEntry(page, 'Two-step sign-in turned off')).toBeVisible();
  await expect(logEntry(page, 'Confirmed it was you with password')).toBeVisible();
  await expect(logEntry(page, 'New recovery codes made; the old ones stopped working')).toBeVisible();
});
