import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { TwoStepSection } from './TwoStepSection';
import { fetchTwoStep } from '../api/security';
import { useLoadable } from '../lib/useLoadable';
import { mockApi, problemReply, resetStores, signIn } from '../test/helpers';
import { ASSERTED, cancelled, installWebAuthn, removeWebAuthn, REQUEST_OPTIONS } from '../test/webauthn';

const OFF = { enabled: false, enabledAt: null, recoveryCodesLeft: 0 };
const ON = { enabled: true, enabledAt: '2026-12-01T09:30:00.000Z', recoveryCodesLeft: 10 };
const ENROLMENT = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  uri: 'otpauth://totp/TaskMaster:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=TaskMaster',
  expiresAt: '2026-12-01T09:40:00.000Z',
};
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-fghij`);
const CONFIRM_FIRST = 'Please confirm it is you (your password or a code) before changing how you sign in.';

/** The section as the account page gives it its state (loaded there). */
function Section({ onChanged, hasPasskey }: { onChanged: () => void; hasPasskey: boolean }) {
  const [status, , reloadStatus] = useLoadable(fetchTwoStep);
  return <TwoStepSection status={status} reloadStatus={reloadStatus} hasPasskey={hasPasskey} onChanged={onChanged} />;
}

function renderSection({ hasPasskey = false } = {}) {
  const onChanged = vi.fn();
  render(<Section onChanged={onChanged} hasPasskey={hasPasskey} />);
  return { user: userEvent.setup(), onChanged };
}

const posts = (mock: MockAdapter) => mock.history.post?.map((r) => r.url) ?? [];

describe('TwoStepSection', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    signIn();
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('sets up the app: QR code and key, the first code, then the recovery codes once', async () => {
    mock.onGet(/\/auth\/totp$/).replyOnce(200, OFF).onGet(/\/auth\/totp$/).reply(200, ON);
    mock.onPost(/\/auth\/totp\/enrolment$/).reply(201, ENROLMENT);
    mock.onPost(/\/auth\/totp\/confirmation$/).reply(200, { recoveryCodes: CODES });
    const { user, onChanged } = renderSection();

    await user.click(await screen.findByRole('button', { name: 'Set up' }));
    expect(await screen.findByRole('img', { name: /QR code/ })).toBeTruthy();
    expect(screen.getByTestId('totp-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Set up your authenticator app' }));

    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    const codes = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(within(codes).getAllByRole('listitem').map((li) => li.textContent)).toEqual(CODES);
    expect(JSON.parse(String(mock.history.post?.[1]?.data))).toEqual({ code: '123456' });
    expect(onChanged).toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByTestId('recovery-codes')).toBeNull();
    expect((await screen.findByTestId('recovery-codes-left')).textContent).toBe('10 codes left');
  });

  it('shows a wrong first code at the field', async () => {
    mock.onGet(/\/auth\/totp$/).reply(200, OFF);
    mock.onPost(/\/auth\/totp\/enrolment$/).reply(201, ENROLMENT);
    mock
      .onPost(/\/auth\/totp\/confirmation$/)
      .reply(...problemReply('invalid-request', 'The request is invalid', [{ pointer: '#/code', detail: 'This code does not match.' }]));
    const { user } = renderSection();
    await user.click(await screen.findByRole('button', { name: 'Set up' }));
    await user.type(await screen.findByLabelText('Authentication code'), '000000');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    expect((await screen.findByText('This code does not match.')).id).toMatch(/-code-error$/);
    expect(screen.getByLabelText('Authentication code').getAttribute('aria-invalid')).toBe('true');
  });

  it('asks for the password when the session must confirm who is there, then carries on with the set-up', async () => {
    mock.onGet(/\/auth\/totp$/).reply(200, OFF);
    mock
      .onPost(/\/auth\/totp\/enrolment$/)
      .replyOnce(...problemReply('reauthentication-required', CONFIRM_FIRST))
      .onPost(/\/auth\/totp\/enrolment$/)
      .replyOnce(201, ENROLMENT);
    mock
      .onPost(/\/auth\/reauthenticate$/)
      .replyOnce(...problemReply('invalid-request', 'Current password is incorrect'))
      .onPost(/\/auth\/reauthenticate$/)
      .replyOnce(204);
    const { user } = renderSection();

    await user.click(await screen.findByRole('button', { name: 'Set up' }));
    const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
    // Two-step sign-in is off: the password is the only way.
    expect(within(dialog).queryByRole('button', { name: /instead/ })).toBeNull();
    await user.type(within(dialog).getByLabelText('Password'), 'wrong');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Current password is incorrect');

    await user.clear(within(dialog).getByLabelText('Password'));
    await user.type(within(dialog).getByLabelText('Password'), 'Correct-Horse-42');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByTestId('two-step-setup')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(posts(mock)).toEqual([
      '/auth/totp/enrolment',
      '/auth/reauthenticate',
      '/auth/reauthenticate',
      '/auth/totp/enrolment',
    ]);
    expect(JSON.parse(String(mock.history.post?.[2]?.data))).toEqual({ password: 'Correct-Horse-42' });
  });

  it('drops the action, saying nothing, when the confirmation is cancelled', async () => {
    mock.onGet(/\/auth\/totp$/).reply(200, ON);
    mock.onPost(/\/auth\/totp\/recovery-codes$/).reply(...problemReply('reauthentication-required', CONFIRM_FIRST));
    const { user } = renderSection();

    await user.click(await screen.findByRole('button', { name: 'New recovery codes' }));
    const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
    // Two-step sign-in is on: an app code or a recovery code may stand in for the password.
    await user.click(within(dialog).getByRole('button', { name: 'Use your authenticator app instead' }));
    expect(within(dialog).getByLabelText('Authentication code')).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(posts(mock)).toEqual(['/auth/totp/recovery-codes']);
    expect(screen.getByRole('button', { name: 'New recovery codes' })).toBeTruthy();
  });

  it('offers a passkey to confirm who is there when the account has one; a closed prompt says nothing', async () => {
    const browser = installWebAuthn();
    try {
      mock.onGet(/\/auth\/totp$/).reply(200, ON);
      mock
        .onPost(/\/auth\/totp\/recovery-codes$/)
        .replyOnce(...problemReply('reauthentication-required', CONFIRM_FIRST))
        .onPost(/\/auth\/totp\/recovery-codes$/)
        .replyOnce(200, { recoveryCodes: CODES });
      mock.onPost(/\/auth\/passkeys\/assertion$/).reply(201, { ceremony: 'as-1', options: REQUEST_OPTIONS });
      mock
        .onPost(/\/auth\/reauthenticate$/)
        .replyOnce(
          ...problemReply('invalid-request', 'The request is invalid', [
            { pointer: '#/passkey', detail: 'This passkey could not sign you in.' },
          ]),
        )
        .onPost(/\/auth\/reauthenticate$/)
        .replyOnce(204);
      const { user } = renderSection({ hasPasskey: true });

      await user.click(await screen.findByRole('button', { name: 'New recovery codes' }));
      const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
      expect(screen.getByText('Enter your password, or a code, or use a passkey, to change how you sign in.')).toBeTruthy();
      const passkeyButton = within(dialog).getByRole('button', { name: 'Use a passkey' });

      browser.get.mockRejectedValueOnce(cancelled());
      await user.click(passkeyButton);
      expect(within(dialog).queryByRole('alert')).toBeNull();

      await user.click(passkeyButton);
      expect((await within(dialog).findByRole('alert')).textContent).toBe('This passkey could not sign you in.');

      await user.click(passkeyButton);
      const codes = await screen.findByRole('list', { name: 'Recovery codes' });
      expect(within(codes).getAllByRole('listitem')).toHaveLength(10);
      expect(screen.queryByRole('dialog')).toBeNull();
      expect(JSON.parse(String(mock.history.post?.at(-2)?.data))).toEqual({ passkey: { ceremony: 'as-1', credential: ASSERTED } });
    } finally {
      removeWebAuthn();
    }
  });

  it('offers no passkey where the browser cannot use one', async () => {
    mock.onGet(/\/auth\/totp$/).reply(200, OFF);
    mock.onPost(/\/auth\/totp\/enrolment$/).reply(...problemReply('reauthentication-required', CONFIRM_FIRST));
    const { user } = renderSection({ hasPasskey: true });
    await user.click(await screen.findByRole('button', { name: 'Set up' }));
    const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
    expect(screen.getByText('Enter your password to change how you sign in.')).toBeTruthy();
    expect(within(dialog).queryByRole('button', { name: 'Use a passkey' })).toBeNull();
  });

  it('turns two-step sign-in off with a recovery code', async () => {
    mock.onGet(/\/auth\/totp$/).replyOnce(200, ON).onGet(/\/auth\/totp$/).reply(200, OFF);
    mock.onDelete(/\/auth\/totp$/).reply(204);
    const { user, onChanged } = renderSection();

    await user.click(await screen.findByRole('button', { name: 'Turn off' }));
    const dialog = await screen.findByRole('dialog', { name: 'Turn off two-step sign-in?' });
    await user.click(within(dialog).getByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(within(dialog).getByLabelText('Recovery code'), 'abcde-fghij');
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    expect(await screen.findByRole('button', { name: 'Set up' })).toBeTruthy();
    expect(JSON.parse(String(mock.history.delete?.[0]?.data))).toEqual({ recoveryCode: 'abcde-fghij' });
    expect(onChanged).toHaveBeenCalled();
  });
});
