import { AxiosError, AxiosHeaders } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createCredential,
  ensurePasskeys,
  getCredential,
  isPasskeyCancelled,
  NO_JSON_HELPERS,
  NO_WEBAUTHN,
  PASSKEY_FAILED,
  PASSKEY_INSECURE,
  PASSKEY_KNOWN,
  passkeyErrorMessage,
  passkeysUnavailable,
  PasskeysUnavailable,
} from './webauthn';
import { problem } from '../test/helpers';
import { ASSERTED, cancelled, CREATED, CREATION_OPTIONS, installWebAuthn, removeWebAuthn, REQUEST_OPTIONS } from '../test/webauthn';

describe('passkeys in the browser', () => {
  afterEach(removeWebAuthn);

  it('creates a passkey from the API options, parsed by the JSON helper, and hands back its JSON', async () => {
    const fake = installWebAuthn();
    await expect(createCredential(CREATION_OPTIONS)).resolves.toEqual(CREATED);
    expect(fake.parseCreationOptionsFromJSON).toHaveBeenCalledWith(CREATION_OPTIONS);
    expect(fake.create).toHaveBeenCalledWith({ publicKey: { parsed: CREATION_OPTIONS } });
  });

  it('answers request options with a passkey, and hands back its JSON', async () => {
    const fake = installWebAuthn();
    await expect(getCredential(REQUEST_OPTIONS)).resolves.toEqual(ASSERTED);
    expect(fake.get).toHaveBeenCalledWith({ publicKey: { parsed: REQUEST_OPTIONS } });
  });

  it('says plainly when the browser has no WebAuthn, or no JSON helpers, and asks it nothing', async () => {
    expect(passkeysUnavailable()).toBe(NO_WEBAUTHN);
    expect(() => ensurePasskeys()).toThrow(PasskeysUnavailable);
    await expect(getCredential(REQUEST_OPTIONS)).rejects.toThrow(NO_WEBAUTHN);

    const fake = installWebAuthn({ jsonHelpers: false });
    expect(passkeysUnavailable()).toBe(NO_JSON_HELPERS);
    await expect(createCredential(CREATION_OPTIONS)).rejects.toThrow(NO_JSON_HELPERS);
    expect(fake.create).not.toHaveBeenCalled();

    installWebAuthn();
    expect(passkeysUnavailable()).toBeNull();
    expect(() => ensurePasskeys()).not.toThrow();
  });

  it('refuses an answer that is no public-key credential with JSON', async () => {
    const fake = installWebAuthn();
    fake.get.mockResolvedValueOnce(null);
    await expect(getCredential(REQUEST_OPTIONS)).rejects.toThrow(PASSKEY_FAILED);
    fake.get.mockResolvedValueOnce({ id: 'x', type: 'public-key' });
    await expect(getCredential(REQUEST_OPTIONS)).rejects.toThrow(NO_JSON_HELPERS);
  });

  it('tells a closed prompt from a failure', async () => {
    const fake = installWebAuthn();
    fake.get.mockRejectedValueOnce(cancelled());
    const err = await getCredential(REQUEST_OPTIONS).catch((e: unknown) => e);
    expect(isPasskeyCancelled(err)).toBe(true);
    expect(isPasskeyCancelled(new DOMException('aborted', 'AbortError'))).toBe(true);
    expect(isPasskeyCancelled(new DOMException('known', 'InvalidStateError'))).toBe(false);
    expect(isPasskeyCancelled(new Error('NotAllowedError'))).toBe(false);
  });

  it('words each failure for the person', () => {
    const config = { headers: new AxiosHeaders() };
    const body = problem('unauthorized', 'This passkey could not sign you in.');
    const refused = new AxiosError('Request failed', 'ERR_BAD_REQUEST', config, null, {
      data: body,
      status: 401,
      statusText: '',
      headers: {},
      config,
    });
    expect(passkeyErrorMessage(new PasskeysUnavailable(NO_WEBAUTHN))).toBe(NO_WEBAUTHN);
    expect(passkeyErrorMessage(new DOMException('excluded', 'InvalidStateError'))).toBe(PASSKEY_KNOWN);
    expect(passkeyErrorMessage(new DOMException('bad rp id', 'SecurityError'))).toBe(PASSKEY_INSECURE);
    expect(passkeyErrorMessage(new DOMException('?', 'UnknownError'))).toBe(PASSKEY_FAILED);
    expect(passkeyErrorMessage(new TypeError('bad options'))).toBe(PASSKEY_FAILED);
    expect(passkeyErrorMessage(refused)).toBe('This passkey could not sign you in.');
  });
});
