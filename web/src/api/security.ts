/**
 * Account security on API v2: confirming who is at the keyboard, two-step sign-in with an
 * authenticator app (TOTP) and its recovery codes, and the security log.
 *
 * Setting the app up and renewing the recovery codes need a recent confirmation (a sign-in or
 * `reauthenticate` within the last minutes); without one they fail with a problem of the kind
 * `reauthentication-required` (see lib/confirmation.ts).
 */
import { api } from './client';
import type { Proof, SecondFactor, SecurityEventPage, TotpEnrolment, TwoStepStatus } from './types';

/** Confirms who is there (password, app code or recovery code), for changes of how to sign in. */
export async function reauthenticate(proof: Proof): Promise<void> {
  await api.post('/auth/reauthenticate', { body: proof });
}

export async function fetchTwoStep(signal?: AbortSignal): Promise<TwoStepStatus> {
  const { data } = await api.get('/auth/totp', { signal });
  return data;
}

/** A new secret for an authenticator app; two-step sign-in is on once `confirmEnrolment` takes its first code. */
export async function beginEnrolment(): Promise<TotpEnrolment> {
  const { data } = await api.post('/auth/totp/enrolment');
  return data;
}

/** Turns two-step sign-in on with the app's first code; the ten recovery codes, shown this once. */
export async function confirmEnrolment(code: string): Promise<string[]> {
  const { data } = await api.post('/auth/totp/confirmation', { body: { code } });
  return data.recoveryCodes;
}

/** Ten new recovery codes; the old ones stop working. */
export async function renewRecoveryCodes(): Promise<string[]> {
  const { data } = await api.post('/auth/totp/recovery-codes');
  return data.recoveryCodes;
}

export async function turnOffTwoStep(factor: SecondFactor): Promise<void> {
  await api.delete('/auth/totp', { body: factor });
}

export const SECURITY_LOG_PAGE = 20;

/** A page of the security log, the newest first; `cursor` is the page before's `nextCursor`. */
export async function fetchSecurityLog(cursor?: string | null, signal?: AbortSignal): Promise<SecurityEventPage> {
  const { data } = await api.get('/auth/security-log', {
    query: { limit: SECURITY_LOG_PAGE, cursor: cursor ?? undefined },
    signal,
  });
  return data;
}
