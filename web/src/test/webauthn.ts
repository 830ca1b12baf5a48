import { vi, type Mock } from 'vitest';
import type { WebAuthnJson } from '../lib/webauthn';

/** A browser's answer as its `toJSON()` gives it (shortened). */
export const CREATED: WebAuthnJson = {
  id: 'cred-1',
  rawId: 'cred-1',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0', attestationObject: 'o2NmbXRk', transports: ['internal'] },
  clientExtensionResults: {},
};
export const ASSERTED: WebAuthnJson = {
  id: 'cred-1',
  rawId: 'cred-1',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0', authenticatorData: 'SZYN5Y', signature: 'MEUCIQ' },
  clientExtensionResults: {},
};

/** Options as the API sends them (shortened). */
export const CREATION_OPTIONS: WebAuthnJson = {
  challenge: 'Y2hhbGxlbmdl',
  rp: { id: 'localhost', name: 'TaskMaster' },
  user: { id: 'dXNlcg', name: 'ada@example.com', displayName: 'Ada' },
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
};
export const REQUEST_OPTIONS: WebAuthnJson = { challenge: 'Y2hhbGxlbmdl', rpId: 'localhost', userVerification: 'preferred' };

/** A credential as `navigator.credentials` resolves with one. */
export function credential(json: WebAuthnJson): Credential {
  return { id: String(json.id), type: 'public-key', toJSON: () => json } as unknown as Credential;
}

/** The person closed the browser's prompt. */
export function cancelled(): DOMException {
  return new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError');
}

export interface FakeWebAuthn {
  create: Mock<(options: CredentialCreationOptions) => Promise<Credential | null>>;
  get: Mock<(options: CredentialRequestOptions) => Promise<Credential | null>>;
  parseCreationOptionsFromJSON: Mock<(options: WebAuthnJson) => unknown>;
  parseRequestOptionsFromJSON: Mock<(options: WebAuthnJson) => unknown>;
}

/**
 * A browser with passkeys (jsdom has none): `navigator.credentials` answers with CREATED and
 * ASSERTED, and the JSON helpers mark what they parsed (`{ parsed: options }`). `jsonHelpers:
 * false` is a browser from before them. Undo with `removeWebAuthn`.
 */
export function installWebAuthn({ jsonHelpers = true } = {}): FakeWebAuthn {
  const fake: FakeWebAuthn = {
    create: vi.fn(() => Promise.resolve(credential(CREATED))),
    get: vi.fn(() => Promise.resolve(credential(ASSERTED))),
    parseCreationOptionsFromJSON: vi.fn((options: WebAuthnJson) => ({ parsed: options })),
    parseRequestOptionsFromJSON: vi.fn((options: WebAuthnJson) => ({ parsed: options })),
  };
  vi.stubGlobal(
    'PublicKeyCredential',
    jsonHelpers
      ? { parseCreationOptionsFromJSON: fake.parseCreationOptionsFromJSON, parseRequestOptionsFromJSON: fake.parseRequestOptionsFromJSON }
      : {},
  );
  Object.defineProperty(navigator, 'credentials', { value: { create: fake.create, get: fake.get }, configurable: true });
  return fake;
}

export function removeWebAuthn(): void {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'credentials');
}
