import { isAxiosError } from 'axios';

export const GENERIC_ERROR = 'Something went wrong. Please try again.';
export const NETWORK_ERROR = 'Cannot reach the server. Check your connection and try again.';

function envelopeError(data: unknown): string | undefined {
  if (data && typeof data === 'object' && 'error' in data) {
    const error = data.error;
    if (typeof error === 'string' && error.trim()) return error;
  }
  return undefined;
}

/** The message to show a person for a failed call: the server's `error` string when it sent one. */
export function errorMessage(err: unknown, fallback = GENERIC_ERROR): string {
  if (isAxiosError(err)) {
    const fromServer = envelopeError(err.response?.data);
    if (fromServer) {
      const retryAfter = retryAfterSeconds(err);
      if (err.response?.status === 429 && retryAfter !== undefined && !/\d/.test(fromServer)) {
        return `${fromServer} Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`;
      }
      return fromServer;
    }
    if (!err.response) return NETWORK_ERROR;
    if (err.response.status === 429) return 'Too many attempts. Please wait a moment and try again.';
    return fallback;
  }
  return fallback;
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), when the server sent one. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!isAxiosError(err)) return undefined;
  const headers = err.response?.headers as Record<string, unknown> | undefined;
  const raw = headers?.['retry-after'];
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(String(raw));
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function statusOf(err: unknown): number | undefined {
  return isAxiosError(err) ? err.response?.status : undefined;
}

/** True when a request was cancelled on purpose (a newer list query replaced it). */
export function isCancel(err: unknown): boolean {
  return isAxiosError(err) && err.code === 'ERR_CANCELED';
}
