import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { AppRoutes } from '../App';
import { useSession } from '../stores/session';
import { NO_WEBAUTHN } from '../lib/webauthn';
import { mockApi, problemReply, resetStores, secondStepReply, signedIn, USER } from '../test/helpers';
import { ASSERTED, cancelled, installWebAuthn, removeWebAuthn, REQUEST_OPTIONS, type FakeWebAuthn } from '../test/webauthn';

const WRONG_CODE = 'This code is not valid. Enter the code your app shows now, or a recovery code.';
const EXPIRED = 'This sign-in has expired. Please sign in again.';

/** The sign-in page, email and password sent: the server asks for the second step. */
async function atSecondStep(mock: MockAdapter) {
  const user = userEvent.setup();
  mock.onPost(/\/auth\/login$/).reply(...secondStepReply('ch-1'));
  mock.onGet(/\/tasks\/summary$/).reply(200, { total: 0, pending: 0, inProgress: 0, completed: 0, overdue: 0 });
  mock.onGet(/\/tasks$/).reply(200, { items: [], nextCursor: null });
  render(
    <MemoryRouter initialEntries={['/login']}>
      <AppRoutes />
    </MemoryRouter>,
  );
  await user.type(screen.getByLabelText('Email'), USER.email);
  await user.type(screen.getByLabelText('Password'), 'Correct-Horse-42');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByText('Enter the 6-digit code from your authenticator app.');
  return user;
}

const sent = (mock: MockAdapter, index: number): unknown => JSON.parse(String(mock.history.post?.[index]?.data));

describe('sign-in with two-step sign-in on', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    useSession.getState().clearSession();
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('asks for the app code in a second step and signs in with it', async () => {
    const user = await atSecondStep(mock);
    const code = screen.getByLabelText('Authentication code');
    expect(document.activeElement).toBe(code);
    expect(code.getAttribute('inputmode')).toBe('numeric');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(useSession.getState().status).toBe('anonymous');

    mock.onPost(/\/auth\/login\/second-step$/).reply(200, signedIn('t'));
    await user.type(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('heading', { name: 'Your tasks' })).toBeTruthy();
    expect(sent(mock, 1)).toEqual({ challenge: 'ch-1', code: '123456' });
  });

  it('shows a wrong code and lets it be typed again', async () => {
    const user = await atSecondStep(mock);
    mock.onPost(/\/auth\/login\/second-step$/).reply(...problemReply('unauthorized', WRONG_CODE));
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(screen.getByTestId('form-error').textContent).toBe('Enter the 6-digit code from your authenticator app');
    expect(mock.history.post).toHaveLength(1); // nothing sent for a code that cannot be right

    await user.type(screen.getByLabelText('Authentication code'), '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByTestId('form-error')).textContent).toBe(WRONG_CODE);
    expect(screen.getByLabelText('Authentication code')).toBeTruthy();
  });

  it('switches to a recovery code and back', async () => {
    const user = await atSecondStep(mock);
    await user.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    expect(screen.getByText('Enter one of the recovery codes you saved when you turned on two-step sign-in.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Recovery code'));
    await user.click(screen.getByRole('button', { name: 'Use your authenticator app instead' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Authentication code'));
    await user.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    const field = screen.getByLabelText('Recovery code');

    mock.onPost(/\/auth\/login\/second-step$/).reply(200, signedIn('t'));
    await user.type(field, 'abcde-fghij');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('heading', { name: 'Your tasks' })).toBeTruthy();
    expect(sent(mock, 1)).toEqual({ challenge: 'ch-1', recoveryCode: 'abcde-fghij' });
  });

  it('goes back to the password step, saying why, when the sign-in has expired', async () => {
    const user = await atSecondStep(mock);
    mock.onPost(/\/auth\/login\/second-step$/).reply(...problemReply('sign-in-expired', EXPIRED));
    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByTestId('session-notice')).textContent).toBe(EXPIRED);
    const password = screen.getByLabelText<HTMLInputElement>('Password');
    expect(password.value).toBe('');
    expect(document.activeElement).toBe(password);
    expect(screen.getByLabelText<HTMLInputElement>('Email').value).toBe(USER.email);
  });

  it('has a way back to email and password', async () => {
    const user = await atSecondStep(mock);
    await user.click(screen.getByRole('button', { name: 'Back to email and password' }));
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByTestId('session-notice')).toBeNull();
  });
});

describe('sign-in with a passkey', () => {
  let mock: MockAdapter;
  let browser: FakeWebAuthn;
  beforeEach(() => {
    resetStores();
    useSession.getState().clearSession();
    mock = mockApi();
    browser = installWebAuthn();
    mock.onPost(/\/auth\/passkeys\/assertion$/).reply(201, { ceremony: 'as-1', options: REQUEST_OPTIONS });
    mock.onGet(/\/tasks\/summary$/).reply(200, { total: 0, pending: 0, inProgress: 0, completed: 0, overdue: 0 });
    mock.onGet(/\/tasks$/).reply(200, { items: [], nextCursor: null });
  });
  afterEach(() => {
    mock.restore();
    removeWebAuthn();
  });

  function openSignIn() {
    render(
      <MemoryRouter initialEntries={['/login']}>
        <AppRoutes />
      </MemoryRouter>,
    );
    return { user: userEvent.setup(), button: screen.getByRole('button', { name: 'Sign in with a passkey' }) };
  }

  it('signs in with no email: the browser offers the passkeys, and on to the dashboard', async () => {
    mock.onPost(/\/auth\/login\/passkey$/).reply(200, signedIn('t'));
    const { user, button } = openSignIn();
    await user.click(button);
    expect(await screen.findByRole('heading', { name: 'Your tasks' })).toBeTruthy();
    expect(sent(mock, 1)).toEqual({ ceremony: 'as-1', credential: ASSERTED });
  });

  it('goes back to idle, saying nothing, when the browser prompt is closed', async () => {
    browser.get.mockRejectedValueOnce(cancelled());
    const { user, button } = openSignIn();
    await user.click(button);
    await vi.waitFor(() => expect(button.hasAttribute('disabled')).toBe(false));
    expect(button.textContent).toBe('Sign in with a passkey');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(mock.history.post?.map((r) => r.url)).toEqual(['/auth/passkeys/assertion']);
  });

  it('shows a passkey the server does not know, and stays on the sign-in page', async () => {
    mock.onPost(/\/auth\/login\/passkey$/).reply(...problemReply('unauthorized', 'This passkey could not sign you in.'));
    const { user, button } = openSignIn();
    await user.click(button);
    expect((await screen.findByTestId('passkey-error')).textContent).toBe('This passkey could not sign you in.');
    expect(useSession.getState().status).toBe('anonymous');
    expect(button.hasAttribute('disabled')).toBe(false);
  });

  it('explains a browser without passkeys, and asks the server nothing', async () => {
    removeWebAuthn();
    const { user, button } = openSignIn();
    await user.click(button);
    expect((await screen.findByTestId('passkey-error')).textContent).toBe(NO_WEBAUTHN);
    expect(mock.history.post).toHaveLength(0);
  });
});
