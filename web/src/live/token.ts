/**
 * When an access token (a JWT) expires, in milliseconds since the epoch; null when it does not
 * say. Read only to refresh before connecting: the server checks the token either way.
 */
export function expiresAt(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Whether the token will have expired `marginMs` from now (so is not worth presenting). */
export function expiresWithin(token: string, marginMs: number, now = Date.now()): boolean {
  const at = expiresAt(token);
  return at !== null && at - now < marginMs;
}
