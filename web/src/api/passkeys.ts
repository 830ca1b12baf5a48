/**
 * Passkeys on API v2: listing, adding and removing the account's, and answering a ceremony with
 * one (to sign in, or to confirm who is there).
 *
 * Adding and removing one need a recent confirmation, like every change of how the account signs
 * in: without one they fail with `reauthentication-required` (see lib/confirmation.ts). The
 * browser's side of each ceremony is lib/webauthn.ts.
 */
import { api } from './client';
import type { Passkey, PasskeyAnswer, PasskeyCeremony } from './types';
import { createCredential, ensurePasskeys, getCredential, type WebAuthnJson } from '../lib/webauthn';

/** The account's passkeys, the oldest first. */
export async function fetchPasskeys(signal?: AbortSignal): Promise<Passkey[]> {
  const { data } = await api.get('/auth/passkeys', { signal });
  return data.items;
}

/** Options to create a passkey for this account (none it already has). */
export async function beginPasskeyRegistration(): Promise<PasskeyCeremony> {
  const { data } = await api.post('/auth/passkeys/registration');
  return data;
}

/** Keeps the passkey the browser created in `ceremony`, under `name`. */
export async function addPasskey(ceremony: string, name: string, credential: WebAuthnJson): Promise<Passkey> {
  const { data } = await api.post('/auth/passkeys', { body: { ceremony, name, credential } });
  return data;
}

export async function removePasskey(passkeyId: string): Promise<void> {
  await api.delete('/auth/passkeys/{passkeyId}', { path: { passkeyId } });
}

/** Options to answer with any passkey of this site: the browser offers the ones it has. */
export async function beginPasskeyAssertion(): Promise<PasskeyCeremony> {
  const { data } = await api.post('/auth/passkeys/assertion');
  return data;
}

/** Creates a passkey on this device (the browser asks the person) and adds it under `name`. */
export async function createPasskey(name: string): Promise<Passkey> {
  ensurePasskeys();
  const { ceremony, options } = await beginPasskeyRegistration();
  return addPasskey(ceremony, name, await createCredential(options));
}

/** A passkey's answer to a new assertion ceremony (the browser asks the person which one). */
export async function passkeyAnswer(): Promise<PasskeyAnswer> {
  ensurePasskeys();
  const { ceremony, options } = await beginPasskeyAssertion();
  return { ceremony, credential: await getCredential(options) };
}
