import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { isProblem } from './errors';
import { createPasskey, fetchPasskeys, passkeyAnswer, removePasskey } from './passkeys';
import { reauthenticate } from './security';
import { NO_WEBAUTHN } from '../lib/webauthn';
import { mockApi, problemReply, resetStores, signIn } from '../test/helpers';
import { ASSERTED, cancelled, CREATED, CREATION_OPTIONS, installWebAuthn, removeWebAuthn, REQUEST_OPTIONS, type FakeWebAuthn } from '../test/webauthn';

const PASSKEY = { id: 'pk-1', name: 'Chrome on macOS', createdAt: '2026-12-01T09:30:00.000Z', lastUsedAt: null };
const CONFIRM_FIRST = 'Please confirm it is you (your password or a code) before changing how you sign in.';

describe('passkeys on API v2', () => {
  let mock: MockAdapter;
  let browser: FakeWebAuthn;
  beforeEach(() => {
    resetStores();
    signIn('t');
    mock = mockApi();
    browser = installWebAuthn();
  });
  afterEach(() => {
    mock.restore();
    removeWebAuthn();
  });

  const posts = () => mock.history.post?.map((r) => r.url) ?? [];
  const sentBody = (index: number): unknown => JSON.parse(String(mock.history.post?.[index]?.data));

  it('lists the passkeys from the v2 page', async () => {
    mock.onGet(/\/auth\/passkeys$/).reply(200, { items: [PASSKEY] });
    await expect(fetchPasskeys()).resolves.toEqual([PASSKEY]);
  });

  it('creates one: a registration ceremony, the browser, then the credential under its name', async () => {
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(201, { ceremony: 'reg-1', options: CREATION_OPTIONS });
    mock.onPost(/\/auth\/passkeys$/).reply(201, PASSKEY);
    await expect(createPasskey('Chrome on macOS')).resolves.toEqual(PASSKEY);
    expect(browser.parseCreationOptionsFromJSON).toHaveBeenCalledWith(CREATION_OPTIONS);
    expect(posts()).toEqual(['/auth/passkeys/registration', '/auth/passkeys']);
    expect(mock.history.post?.[0]?.data).toBeUndefined();
    expect(sentBody(1)).toEqual({ ceremony: 'reg-1', name: 'Chrome on macOS', credential: CREATED });
  });

  it('lets a reauthentication-required refusal through, before the browser is asked', async () => {
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(...problemReply('reauthentication-required', CONFIRM_FIRST));
    const refused = await createPasskey('Laptop').catch((err: unknown) => err);
    expect(isProblem(refused, 'reauthentication-required')).toBe(true);
    expect(browser.create).not.toHaveBeenCalled();
  });

  it('adds nothing when the person closes the browser prompt', async () => {
    mock.onPost(/\/auth\/passkeys\/registration$/).reply(201, { ceremony: 'reg-1', options: CREATION_OPTIONS });
    browser.create.mockRejectedValueOnce(cancelled());
    await expect(createPasskey('Laptop')).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(posts()).toEqual(['/auth/passkeys/registration']);
  });

  it('begins no ceremony in a browser without passkeys', async () => {
    removeWebAuthn();
    await expect(createPasskey('Laptop')).rejects.toThrow(NO_WEBAUTHN);
    await expect(passkeyAnswer()).rejects.toThrow(NO_WEBAUTHN);
    expect(posts()).toEqual([]);
  });

  it('removes one by id', async () => {
    mock.onDelete(/\/auth\/passkeys\/pk%201$/).reply(204);
    await removePasskey('pk 1');
    expect(mock.history.delete?.[0]?.url).toBe('/auth/passkeys/pk%201');
  });

  it('answers an assertion ceremony, which confirms who is there', async () => {
    mock.onPost(/\/auth\/passkeys\/assertion$/).reply(201, { ceremony: 'as-1', options: REQUEST_OPTIONS });
    mock.onPost(/\/auth\/reauthenticate$/).reply(204);
    const answer = await passkeyAnswer();
    expect(answer).toEqual({ ceremony: 'as-1', credential: ASSERTED });
    expect(browser.parseRequestOptionsFromJSON).toHaveBeenCalledWith(REQUEST_OPTIONS);
    await reauthenticate({ passkey: answer });
    expect(sentBody(1)).toEqual({ passkey: { ceremony: 'as-1', credential: ASSERTED } });
  });
});
