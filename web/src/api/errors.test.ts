import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  asProblem,
  errorMessage,
  fieldErrors,
  GENERIC_ERROR,
  isProblem,
  isTransient,
  NETWORK_ERROR,
  problemKind,
  problemOf,
} from './errors';
import { problem } from '../test/helpers';

function failed(status: number | null, data?: unknown, headers: Record<string, string> = {}, code?: string): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response =
    status === null
      ? undefined
      : ({ status, statusText: '', data, headers, config } as unknown as AxiosResponse);
  return new AxiosError('Request failed', code ?? (status === null ? 'ERR_NETWORK' : 'ERR_BAD_RESPONSE'), config, null, response);
}

describe('problem documents', () => {
  it('reads a problem, with or without field errors', () => {
    const body = problem('invalid-request', 'Invalid request body: title: too short', [
      { pointer: '#/title', detail: 'String should have at least 1 character' },
    ]);
    expect(asProblem(body)).toEqual(body);
    expect(asProblem({ type: '/api/v2/problems/conflict', title: 'Conflict', status: 409, detail: 'Taken' })).toMatchObject({
      errors: null,
    });
  });

  it('is not fooled by other bodies', () => {
    expect(asProblem({ success: false, error: 'v1 envelope' })).toBeNull();
    expect(asProblem('text')).toBeNull();
    expect(asProblem(null)).toBeNull();
    expect(asProblem([1])).toBeNull();
  });

  it('names the kind from the type, wherever the problems live', () => {
    expect(problemKind(problem('precondition-failed', 'x'))).toBe('precondition-failed');
    expect(problemKind({ ...problem('conflict', 'x'), type: 'https://api.example.com/api/v2/problems/conflict' })).toBe(
      'conflict',
    );
    expect(problemKind({ ...problem('conflict', 'x'), type: 'about:blank' })).toBeNull();
    expect(problemKind(null)).toBeNull();
    expect(isProblem(failed(400, problem('invalid-cursor', 'start over')), 'invalid-cursor')).toBe(true);
    expect(isProblem(failed(400, problem('invalid-request', 'no')), 'invalid-cursor')).toBe(false);
  });

  it('maps body pointers to field names, first message first, leaving parameters and headers out', () => {
    const errors = fieldErrors(
      problem('invalid-request', 'bad', [
        { pointer: '#/title', detail: 'Too long' },
        { pointer: '#/title', detail: 'Second opinion' },
        { pointer: '#/dueDate', detail: 'Not a date' },
        { pointer: '#/a~1b/c~0d', detail: 'Escaped' },
        { parameter: 'cursor', detail: 'Not for this query' },
        { header: 'Idempotency-Key', detail: 'Reused' },
      ]),
    );
    expect(errors).toEqual({ title: 'Too long', dueDate: 'Not a date', 'a/b/c~d': 'Escaped' });
    expect(fieldErrors(null)).toEqual({});
  });

  it('finds the problem of a failed call', () => {
    const body = problem('not-found', 'Task not found');
    expect(problemOf(failed(404, body))).toEqual({ ...body, errors: null });
    expect(problemOf(new Error('x'))).toBeNull();
    expect(problemOf(failed(null))).toBeNull();
  });
});

describe('errorMessage', () => {
  it('says what the problem details', () => {
    expect(errorMessage(failed(401, problem('unauthorized', 'Invalid email or password')))).toBe('Invalid email or password');
  });

  it('falls back to the title, then to the caller’s fallback', () => {
    expect(errorMessage(failed(409, { ...problem('conflict', ''), title: 'Conflict' }))).toBe('Conflict');
    expect(errorMessage(failed(500, '<html>'), 'Could not save')).toBe('Could not save');
    expect(errorMessage(new Error('internal'))).toBe(GENERIC_ERROR);
  });

  it('tells a network failure apart', () => {
    expect(errorMessage(failed(null))).toBe(NETWORK_ERROR);
  });

  it('adds when to try again to a rate limit', () => {
    expect(errorMessage(failed(429, problem('rate-limited', 'Too many requests.'), { 'retry-after': '7' }))).toBe(
      'Too many requests. Try again in 7 seconds.',
    );
    expect(errorMessage(failed(429, undefined, { 'retry-after': '1' }))).toBe(
      'Too many attempts. Please wait a moment and try again. Try again in 1 second.',
    );
  });
});

describe('isTransient', () => {
  it('retries what may succeed later, never a refusal of the request itself', () => {
    expect(isTransient(failed(null))).toBe(true);
    expect(isTransient(failed(503, problem('unavailable', 'x')))).toBe(true);
    expect(isTransient(failed(500, problem('internal-error', 'x')))).toBe(true);
    expect(isTransient(failed(429, problem('rate-limited', 'x')))).toBe(true);
    expect(isTransient(failed(400, problem('invalid-request', 'x')))).toBe(false);
    expect(isTransient(failed(422, problem('idempotency-key-reused', 'x')))).toBe(false);
    expect(isTransient(failed(null, undefined, {}, 'ERR_CANCELED'))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
  });
});
