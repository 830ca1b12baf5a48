import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { PasskeysSection } from './PasskeysSection';
import { fetchPasskeys } from '../api/passkeys';
import { useLoadable } from '../lib/useLoadable';
import { NO_WEBAUTHN, PASSKEY_KNOWN } from '../lib/webauthn';
import { useUi } from '../stores/ui';
import { mockApi, problemReply, resetStores, signIn } from '../test/helpers';
import {
  ASSERTED,
  cancelled,
  CREATED,
  CREATION_OPTIONS,
  installWebAuthn,
  removeWebAuthn,
  REQUEST_OPTIONS,
  type FakeWebAuthn,
} from '../test/webauthn';

const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const CONFIRM_FIRST = 'Please confirm it is you (your password or a code) before changing how you sign in.';
const LAPTOP = { id: 'pk-1', name: 'Work laptop', createdAt: '2026-11-01T09:30:00.000Z', lastUsedAt: '2026-12-01T10:00:00.000Z' };
const PHONE = { id: 'pk-2', name: 'Phone', createdAt: '2026-11-20T09:30:00.000Z', lastUsedAt: null };
const NEW = { id: 'pk-3', name: 'Chrome on macOS', createdAt: '2026-12-02T09:30:00.000Z', lastUsedAt: null };

/** The section as the account page gives it its passkeys (loaded there). */
function Section({ onChanged, twoStep }: { onChanged: () => void; twoStep: boolean }) {
  const [passkeys, , reload] = useLoadable(fetchPasskeys);
  return <PasskeysSection passkeys={passkeys} reload={reload} twoStep={twoStep} onChanged={onChanged} />;
}

function renderSection({ twoStep = false } = {}) {
  const onChanged = vi.fn();
  render(<Section onChanged={onChanged} twoStep={twoStep} />);
  return { user: userEvent.setup(), onChanged };
}

const toasts = () => useUi.getState().toasts.map((t) => t.message);
const posts = (mock: MockAdapter) => mock.history.post?.map((r) => r.url) ?? [];

describe('PasskeysSection', () => {
  let mock: MockAdapter;
  let browser: FakeWebAuthn;
  beforeEach(() => {
    resetStores();
    signIn();
    mock = mockApi();
    browser = installWebAuthn();
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(CHROME_ON_MAC);
  });
  afterEach(() => {
    mock.restore();
    removeWebAuthn();
    vi.restoreAllMocks();
  });

  it('lists each passkey: its name, when added, when last used', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [LAPTOP, PHONE] });
    renderSection();
    const items = await screen.findAllByTestId('passkey-item');
    expect(items.map((item) => item.querySelector('.session__device')?.textContent)).toEqual(['Work laptop', 'Phone']);
    expect(items[0]?.textContent).toMatch(/Added .*2026.*Last used .*2026/);
    expect(items[1]?.textContent).toContain('Never used');
    expect(within(items[1] as HTMLElement).getByRole('button', { name: 'Remove passkey: Phone' })).toBeTruthy();
  });

  it('adds one named after this browser by default, and says so', async () => {
    mock.onGet(/\/auth\/passkeys$/).replyOnce(200, { items: [] }).onGet(/\/auth\/passkeys$/).reply(200, { items: [NEW] });
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(201, { ceremony: 'reg-1', options: CREATION_OPTIONS });
    mock.onPost(/\/auth\/passkeys$/).reply(201, NEW);
    const { user, onChanged } = renderSection();

    expect((await screen.findByTestId('passkeys-empty')).textContent).toBe('No passkeys yet.');
    await user.click(screen.getByRole('button', { name: 'Add a passkey' }));
    const name = screen.getByLabelText<HTMLInputElement>('Passkey name');
    expect(name.value).toBe('Chrome on macOS');
    expect(document.activeElement).toBe(name);
    await user.click(screen.getByRole('button', { name: 'Create passkey' }));

    expect(await screen.findByText('Chrome on macOS', { selector: '.session__device' })).toBeTruthy();
    expect(JSON.parse(String(mock.history.post?.[1]?.data))).toEqual({ ceremony: 'reg-1', name: 'Chrome on macOS', credential: CREATED });
    expect(toasts()).toEqual(['Passkey "Chrome on macOS" added.']);
    expect(onChanged).toHaveBeenCalled();
    expect(screen.queryByTestId('add-passkey-form')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add a passkey' }));
  });

  it('asks for a name, and takes the server’s word on it', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [] });
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(201, { ceremony: 'reg-1', options: CREATION_OPTIONS });
    mock
      .onPost(/\/auth\/passkeys$/)
      .reply(...problemReply('invalid-request', 'The request is invalid', [{ pointer: '#/name', detail: 'Name is too long.' }]));
    const { user } = renderSection();
    await user.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    const name = screen.getByLabelText('Passkey name');
    await user.clear(name);
    await user.type(name, '   ');
    await user.click(screen.getByRole('button', { name: 'Create passkey' }));
    expect(screen.getByText('Enter a name for the passkey')).toBeTruthy();
    expect(posts(mock)).toEqual([]);

    await user.type(name, 'Laptop');
    await user.click(screen.getByRole('button', { name: 'Create passkey' }));
    expect(await screen.findByText('Name is too long.')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
  });

  it('says nothing when the browser prompt is closed, and explains a failure of the browser or the server', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [] });
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(201, { ceremony: 'reg-1', options: CREATION_OPTIONS });
    mock
      .onPost(/\/auth\/passkeys$/)
      .reply(
        ...problemReply('invalid-request', 'This passkey could not be verified. Please try again.', [
          { pointer: '#/credential', detail: 'This passkey could not be verified. Please try again.' },
        ]),
      );
    const { user } = renderSection();
    await user.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    const create = screen.getByRole('button', { name: 'Create passkey' });

    browser.create.mockRejectedValueOnce(cancelled());
    await user.click(create);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(create.hasAttribute('disabled')).toBe(false);

    browser.create.mockRejectedValueOnce(new DOMException('excluded', 'InvalidStateError'));
    await user.click(create);
    expect((await screen.findByRole('alert')).textContent).toBe(PASSKEY_KNOWN);

    await user.click(create);
    expect((await screen.findByRole('alert')).textContent).toBe('This passkey could not be verified. Please try again.');
    expect(toasts()).toEqual([]);
  });

  it('confirms who is there first when the session is not recent, then creates it', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [] });
    mock
      .onPost(/\/auth\/passkeys\/registration$/)
      .replyOnce(...problemReply('reauthentication-required', CONFIRM_FIRST))
      .onPost(/\/auth\/passkeys\/registration$/)
      .replyOnce(201, { ceremony: 'reg-2', options: CREATION_OPTIONS });
    mock.onPost(/\/auth\/reauthenticate$/).reply(204);
    mock.onPost(/\/auth\/passkeys$/).reply(201, NEW);
    const { user } = renderSection({ twoStep: true });
    await user.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    await user.click(screen.getByRole('button', { name: 'Create passkey' }));

    const dialog = await screen.findByRole('dialog', { name: "Confirm it's you" });
    // No passkey yet: the password, or a code.
    expect(within(dialog).queryByRole('button', { name: 'Use a passkey' })).toBeNull();
    await user.type(within(dialog).getByLabelText('Password'), 'Correct-Horse-42');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await screen.findByRole('button', { name: 'Add a passkey' });
    expect(posts(mock)).toEqual(['/auth/passkeys/registration', '/auth/reauthenticate', '/auth/passkeys/registration', '/auth/passkeys']);
    expect(browser.create).toHaveBeenCalledTimes(1);
  });

  it('drops the creation, saying nothing, when the confirmation is cancelled', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [] });
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(...problemReply('reauthentication-required', CONFIRM_FIRST));
    const { user } = renderSection();
    await user.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    await user.click(screen.getByRole('button', { name: 'Create passkey' }));
    await user.click(within(await screen.findByRole('dialog', { name: "Confirm it's you" })).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Create passkey' }).hasAttribute('disabled')).toBe(false));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(browser.create).not.toHaveBeenCalled();
  });

  it('removes one after asking, confirming who is there with a passkey', async () => {
    mock.onGet(/\/auth\/passkeys$/).replyOnce(200, { items: [LAPTOP, PHONE] }).onGet(/\/auth\/passkeys$/).reply(200, { items: [LAPTOP] });
    mock
      .onDelete(/\/auth\/passkeys\/pk-2$/)
      .replyOnce(...problemReply('reauthentication-required', CONFIRM_FIRST))
      .onDelete(/\/auth\/passkeys\/pk-2$/)
      .replyOnce(204);
    mock.onPost(/\/auth\/passkeys\/assertion$/).reply(201, { ceremony: 'as-1', options: REQUEST_OPTIONS });
    mock.onPost(/\/auth\/reauthenticate$/).reply(204);
    const { user, onChanged } = renderSection();

    await user.click(await screen.findByRole('button', { name: 'Remove passkey: Phone' }));
    const asking = await screen.findByRole('dialog', { name: 'Remove this passkey?' });
    expect(document.activeElement).toBe(within(asking).getByRole('button', { name: 'Cancel' }));
    await user.click(within(asking).getByRole('button', { name: 'Remove' }));

    const confirm = await screen.findByRole('dialog', { name: "Confirm it's you" });
    expect(screen.getByText('Enter your password, or use a passkey, to change how you sign in.')).toBeTruthy();
    await user.click(within(confirm).getByRole('button', { name: 'Use a passkey' }));
    await vi.waitFor(() => expect(screen.getAllByTestId('passkey-item')).toHaveLength(1));
    expect(JSON.parse(String(mock.history.post?.[1]?.data))).toEqual({ passkey: { ceremony: 'as-1', credential: ASSERTED } });
    expect(mock.history.delete).toHaveLength(2);
    expect(toasts()).toEqual(['Passkey "Phone" removed.']);
    expect(onChanged).toHaveBeenCalled();
  });

  it('keeps the passkey when the removal is cancelled or refused', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [PHONE] });
    mock.onDelete(/\/auth\/passkeys\/pk-2$/).reply(...problemReply('not-found', 'Passkey not found'));
    const { user } = renderSection();

    await user.click(await screen.findByRole('button', { name: 'Remove passkey: Phone' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(mock.history.delete).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Remove passkey: Phone' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove' }));
    await vi.waitFor(() => expect(toasts()).toEqual(['Could not remove the passkey: Passkey not found']));
  });

  it('says so where the browser cannot make passkeys, and still lists and removes them', async () => {
    removeWebAuthn();
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [PHONE] });
    renderSection();
    expect((await screen.findByTestId('passkeys-unavailable')).textContent).toBe(NO_WEBAUTHN);
    expect(screen.queryByRole('button', { name: 'Add a passkey' })).toBeNull();
    expect(await screen.findByRole('button', { name: 'Remove passkey: Phone' })).toBeTruthy();
  });
});
