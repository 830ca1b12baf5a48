import { type Page, type Request } from '@playwright/test';
import { expect, test } from './policy';
import { expectAccessible } from './accessibility';
import {
  API_URL,
  apiResponse,
  expectDashboard,
  logEntry,
  loginViaUi,
  openAccount,
  refuseOnceForConfirmation,
  registerViaApi,
  uniqueUser,
} from './helpers';
import { VirtualAuthenticator } from './webauthn';

const NOT_SIGNED_IN = 'This passkey could not sign you in.';
const PASSKEY_SIGN_IN = /\/api\/v2\/auth\/login\/passkey$/;

const isPasskeySignIn = (request: Request) => request.method() === 'POST' && PASSKEY_SIGN_IN.test(new URL(request.url()).pathname);

/**
 * Opens the dashboard, signed out: on the sign-in page it leads to, presses "Sign in with a
 * passkey". The request that sends, and its answer.
 */
async function signInWithPasskey(page: Page) {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const sent = page.waitForRequest(isPasskeySignIn);
  const answered = page.waitForResponse((response) => isPasskeySignIn(response.request()));
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  return { request: await sent, response: await answered };
}

async function signOut(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
}

test('a passkey: added on the account page, signs in alone, once per answer; removed, signs in no more', { tag: '@cross-origin' }, async ({ page, request }) => {
  const user = uniqueUser('passkey');
  await registerViaApi(request, user);
  const authenticator = await VirtualAuthenticator.attach(page);
  await loginViaUi(page, user);
  await openAccount(page);
  const section = page.getByTestId('passkeys');
  await expect(section.getByTestId('passkeys-empty')).toHaveText('No passkeys yet.');

  // Added under a name, by default this browser's and system's: the session is recent (just signed in).
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  const name = section.getByLabel('Passkey name');
  await expect(name).toBeFocused();
  await expect(name).toHaveValue(/Chrome on Linux$/);
  await name.fill('E2E laptop');
  const added = apiResponse(page, 'POST', /\/api\/v2\/auth\/passkeys$/);
  await section.getByRole('button', { name: 'Create passkey' }).click();
  expect((await added).status()).toBe(201);
  const item = section.getByTestId('passkey-item');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('E2E laptop');
  await expect(item).toContainText('Never used');
  await expect(page.getByTestId('toast')).toHaveText('Passkey "E2E laptop" added.');
  const held = await authenticator.credentials();
  expect(held).toHaveLength(1);
  expect(held[0]?.isResidentCredential).toBe(true);
  await expect(logEntry(page, 'Passkey "E2E laptop" added')).toBeVisible();
  await expectAccessible(page, 'passkeys');

  // Signed out, the passkey alone signs in: no email, no password, no second step.
  await signOut(page);
  const signedIn = await signInWithPasskey(page);
  expect(signedIn.response.status()).toBe(200);
  await expectDashboard(page);

  // The same answer sent again signs no one in: its ceremony is spent.
  const replayed = await request.post(`${API_URL}/api/v2/auth/login/passkey`, {
    data: signedIn.request.postDataJSON() as unknown,
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(replayed.status(), await replayed.text()).toBe(401);
  expect(((await replayed.json()) as { detail: string }).detail).toBe(NOT_SIGNED_IN);

  await openAccount(page);
  await expect(page.getByTestId('security-event').first()).toHaveText(/^Failed sign-in: passkey not accepted/);
  await expect(logEntry(page, 'Signed in with a passkey')).toBeVisible();
  await expect(item).toContainText('Last used');

  // Removed after asking; a session whose confirmation is old confirms it with the passkey itself.
  await refuseOnceForConfirmation(page, /\/api\/v2\/auth\/passkeys\/[^/]+$/, 'DELETE');
  await item.getByRole('button', { name: 'Remove passkey: E2E laptop' }).click();
  const asking = page.getByRole('dialog', { name: 'Remove this passkey?' });
  await expect(asking.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await asking.getByRole('button', { name: 'Remove' }).click();
  const confirm = page.getByRole('dialog', { name: "Confirm it's you" });
  await expect(confirm).toContainText('Enter your password, or use a passkey, to change how you sign in.');
  await expectAccessible(page, 'confirm-it-is-you dialog with a passkey');
  const confirmed = apiResponse(page, 'POST', /\/api\/v2\/auth\/reauthenticate$/);
  await confirm.getByRole('button', { name: 'Use a passkey' }).click();
  expect((await confirmed).status()).toBe(204);
  await expect(confirm).toBeHidden();
  await expect(section.getByTestId('passkeys-empty')).toBeVisible();
  await expect(logEntry(page, 'Passkey "E2E laptop" removed')).toBeVisible();
  await expect(logEntry(page, 'Confirmed it was you with a passkey')).toBeVisible();

  // The device still holds it, but the server no longer knows it.
  expect(await authenticator.credentials()).toHaveLength(1);
  await signOut(page);
  const refused = await signInWithPasskey(page);
  expect(refused.response.status()).toBe(401);
  await expect(page.getByTestId('passkey-error')).toHaveText(NOT_SIGNED_IN);
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeEnabled();
});

test('with no passkey on the device, the prompt ends and the sign-in page says nothing', async ({ page }) => {
  await VirtualAuthenticator.attach(page);
  await page.goto('/login');
  const button = page.getByRole('button', { name: 'Sign in with a passkey' });
  const begun = apiResponse(page, 'POST', /\/api\/v2\/auth\/passkeys\/assertion$/);
  await button.click();
  expect((await begun).status()).toBe(201);
  await expect(button).toBeEnabled();
  await expect(button).toHaveText('Sign in with a passkey');
  await expect(page.getByTestId('passkey-error')).toHaveCount(0);
  await expectAccessible(page, 'sign-in with a passkey offered');
});
