import { isAxiosError } from 'axios';
import type { FieldError, Problem } from './types';

export const GENERIC_ERROR = 'Something went wrong. Please try again.';
export const NETWORK_ERROR = 'Cannot reach the server. Check your connection and try again.';

/** The kinds of problem API v2 names in `type` (`/api/v2/problems/<kind>`); branch on these. */
export type ProblemKind =
  | 'invalid-request'
  | 'invalid-cursor'
  | 'unsupported-version'
  | 'unauthorized'
  /** A right password, with two-step sign-in on: the problem carries the second step's challenge. */
  | 'second-factor-required'
  /** A second step whose sign-in is over (expired, finished elsewhere, password changed): start again. */
  | 'sign-in-expired'
  | 'forbidden'
  /** The session must confirm who is there (POST /auth/reauthenticate) before this change. */
  | 'reauthentication-required'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'gone'
  | 'cursor-expired'
  | 'precondition-failed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'idempotency-key-reused'
  | 'precondition-required'
  | 'rate-limited'
  | 'unavailable'
  | 'internal-error';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as an RFC 9457 problem document, when it is one (whatever its Content-Type said). */
export function asProblem(data: unknown): Problem | null {
  if (!isRecord(data)) return null;
  const { type, title, status, detail, errors } = data;
  if (typeof title !== 'string' || typeof status !== 'number') return null;
  return {
    type: typeof type === 'string' ? type : 'about:blank',
    title,
    status,
    detail: typeof detail === 'string' ? detail : '',
    errors: Array.isArray(errors)
      ? errors.filter((e): e is FieldError => isRecord(e) && typeof e.detail === 'string')
      : null,
  };
}

/** The problem document a failed call answered with, if any. */
export function problemOf(err: unknown): Problem | null {
  return isAxiosError(err) ? asProblem(err.response?.data) : null;
}

/**
 * The whole body of the problem a failed call answered with, members beyond RFC 9457's own
 * included (a second step's `challenge`); empty when the answer was no problem document.
 */
export function problemMembers(err: unknown): Record<string, unknown> {
  const data: unknown = isAxiosError(err) ? err.response?.data : undefined;
  return isRecord(data) && asProblem(data) ? data : {};
}

/** The problem's kind, from the last segment of its `type` (`/api/v2/problems/conflict`). */
export function problemKind(problem: Problem | null): ProblemKind | null {
  const match = problem ? /\/problems\/([a-z-]+)$/.exec(problem.type) : null;
  return (match?.[1] as ProblemKind | undefined) ?? null;
}

export function isProblem(err: unknown, kind: ProblemKind): boolean {
  return problemKind(problemOf(err)) === kind;
}

/**
 * The body members a problem blames, by name: `#/title` → `title`, `#/a/b` → `a/b`. The first
 * message for each wins. Parameters and headers are the app's doing, not the person's: left out.
 */
export function fieldErrors(problem: Problem | null): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    if (!error.pointer) continue;
    const name = decodeURIComponent(error.pointer.replace(/^#?\/?/, ''))
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    if (name && !(name in fields)) fields[name] = error.detail;
  }
  return fields;
}

/** The message to show a person for a failed call: the problem's `detail` when it has one. */
export function errorMessage(err: unknown, fallback = GENERIC_ERROR): string {
  if (!isAxiosError(err)) return fallback;
  if (!err.response) return NETWORK_ERROR;
  const problem = asProblem(err.response.data);
  const told = problem?.detail.trim() || problem?.title.trim();
  const status = err.response.status;
  if (status === 429) {
    const retryAfter = retryAfterSeconds(err);
    const base = told || 'Too many attempts. Please wait a moment and try again.';
    if (retryAfter !== undefined && !/\d/.test(base)) {
      return `${base} Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`;
    }
    return base;
  }
  return told || fallback;
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

/**
 * Whether sending the same request again may succeed: no answer came (it may or may not have
 * been applied), or the server was busy or failing. A refusal of the request itself is final.
 */
export function isTransient(err: unknown): boolean {
  if (!isAxiosError(err) || isCancel(err)) return false;
  const status = err.response?.status;
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** True when a request was cancelled on purpose (a newer list query replaced it). */
export function isCancel(err: unknown): boolean {
  return isAxiosError(err) && err.code === 'ERR_CANCELED';
}
