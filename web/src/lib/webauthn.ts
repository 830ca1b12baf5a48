/**
 * The browser's side of passkeys (WebAuthn): `navigator.credentials` with the JSON helpers,
 * which turn the API's options into the browser's and the browser's answer into JSON.
 *
 * Every call checks first that the browser has what it needs, and throws PasskeysUnavailable
 * (its message made to be shown) when it does not. A person who closes the browser's prompt is
 * no error to show: `isPasskeyCancelled` tells that apart.
 */
import { errorMessage } from '../api/errors';

/** WebAuthn's JSON form of options or of a credential, as the API sends and takes it. */
export type WebAuthnJson = Record<string, unknown>;

export const NO_WEBAUTHN = 'This browser cannot use passkeys. Use another browser, or sign in another way.';
export const NO_JSON_HELPERS = 'This browser is too old to use passkeys here. Update it, or use another browser.';
export const PASSKEY_KNOWN = 'This device already holds a passkey for your account.';
export const PASSKEY_INSECURE = 'Passkeys do not work at this web address: they need a secure site with a name (localhost rather than 127.0.0.1).';
export const PASSKEY_FAILED = 'Your browser could not use the passkey. Please try again.';

/** The browser cannot make or use passkeys; the message says so, for the person. */
export class PasskeysUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasskeysUnavailable';
  }
}

type JsonHelpers = Pick<typeof PublicKeyCredential, 'parseCreationOptionsFromJSON' | 'parseRequestOptionsFromJSON'>;

interface WebAuthn {
  credentials: Pick<CredentialsContainer, 'create' | 'get'>;
  helpers: JsonHelpers;
}

/** The browser's WebAuthn, or what is missing as a message: each part may be (older browsers, insecure pages). */
function webAuthn(): WebAuthn | string {
  const scope = globalThis as {
    PublicKeyCredential?: Partial<JsonHelpers>;
    navigator?: { credentials?: Partial<WebAuthn['credentials']> };
  };
  const helpers = scope.PublicKeyCredential;
  const credentials = scope.navigator?.credentials;
  if (!helpers || typeof credentials?.create !== 'function' || typeof credentials.get !== 'function') return NO_WEBAUTHN;
  if (typeof helpers.parseCreationOptionsFromJSON !== 'function' || typeof helpers.parseRequestOptionsFromJSON !== 'function') {
    return NO_JSON_HELPERS;
  }
  return { credentials: credentials as WebAuthn['credentials'], helpers: helpers as JsonHelpers };
}

function requireWebAuthn(): WebAuthn {
  const found = webAuthn();
  if (typeof found === 'string') throw new PasskeysUnavailable(found);
  return found;
}

/** Throws PasskeysUnavailable unless this browser can use passkeys: before a ceremony is begun for nothing. */
export function ensurePasskeys(): void {
  requireWebAuthn();
}

/** Why this browser cannot use passkeys, or null when it can. */
export function passkeysUnavailable(): string | null {
  const found = webAuthn();
  return typeof found === 'string' ? found : null;
}

function isRecord(value: unknown): value is WebAuthnJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The browser's answer as JSON (`toJSON()`); anything else is the browser failing. */
function asJson(credential: Credential | null): WebAuthnJson {
  const toJSON: unknown = (credential as Partial<PublicKeyCredential> | null)?.toJSON;
  if (credential?.type !== 'public-key' || typeof toJSON !== 'function') {
    throw new PasskeysUnavailable(credential ? NO_JSON_HELPERS : PASSKEY_FAILED);
  }
  const json: unknown = (credential as PublicKeyCredential).toJSON();
  if (!isRecord(json)) throw new PasskeysUnavailable(PASSKEY_FAILED);
  return json;
}

/** Makes a new passkey with the API's creation options; the browser asks the person first. */
export async function createCredential(options: WebAuthnJson): Promise<WebAuthnJson> {
  const { credentials, helpers } = requireWebAuthn();
  const publicKey = helpers.parseCreationOptionsFromJSON(options as unknown as PublicKeyCredentialCreationOptionsJSON);
  return asJson(await credentials.create({ publicKey }));
}

/** Answers the API's request options with one of this site's passkeys; the browser offers them. */
export async function getCredential(options: WebAuthnJson): Promise<WebAuthnJson> {
  const { credentials, helpers } = requireWebAuthn();
  const publicKey = helpers.parseRequestOptionsFromJSON(options as unknown as PublicKeyCredentialRequestOptionsJSON);
  return asJson(await credentials.get({ publicKey }));
}

function isDomError(err: unknown, ...names: string[]): boolean {
  return err instanceof DOMException && names.includes(err.name);
}

/**
 * Whether the person closed the browser's prompt (or let it time out). Browsers answer so too when
 * no passkey of this site is there, on purpose: a page may not learn which passkeys exist.
 */
export function isPasskeyCancelled(err: unknown): boolean {
  return isDomError(err, 'NotAllowedError', 'AbortError');
}

/** The message for a passkey ceremony that failed (not cancelled): the browser's side or the API's. */
export function passkeyErrorMessage(err: unknown): string {
  if (err instanceof PasskeysUnavailable) return err.message;
  if (isDomError(err, 'InvalidStateError')) return PASSKEY_KNOWN;
  if (isDomError(err, 'SecurityError')) return PASSKEY_INSECURE;
  if (err instanceof DOMException || err instanceof TypeError) return PASSKEY_FAILED;
  return errorMessage(err);
}
