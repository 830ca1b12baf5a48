import { AxiosError, AxiosHeaders } from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { ConfirmationCancelled, isConfirmationCancelled, withConfirmation } from './confirmation';
import { problem } from '../test/helpers';

/** A refusal as axios reports one: `kind`'s problem document and status. */
function refusal(kind: string): AxiosError {
  const body = problem(kind, `${kind} happened`);
  const config = { headers: new AxiosHeaders() };
  return new AxiosError('Request failed', 'ERR_BAD_REQUEST', config, null, {
    data: body,
    status: body.status,
    statusText: '',
    headers: {},
    config,
  });
}

describe('withConfirmation', () => {
  it('runs the action once, and asks nothing, when no confirmation is due', async () => {
    const action = vi.fn(() => Promise.resolve('done'));
    const confirm = vi.fn(() => Promise.resolve());
    await expect(withConfirmation(action, confirm)).resolves.toBe('done');
    expect(action).toHaveBeenCalledTimes(1);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('asks for a confirmation on reauthentication-required, then runs the action once more', async () => {
    const order: string[] = [];
    const action = vi
      .fn<() => Promise<string>>()
      .mockImplementationOnce(() => {
        order.push('action');
        return Promise.reject(refusal('reauthentication-required'));
      })
      .mockImplementationOnce(() => {
        order.push('action again');
        return Promise.resolve('done');
      });
    const confirm = vi.fn(() => {
      order.push('confirm');
      return Promise.resolve();
    });
    await expect(withConfirmation(action, confirm)).resolves.toBe('done');
    expect(order).toEqual(['action', 'confirm', 'action again']);
  });

  it('retries only once: a second refusal is the result', async () => {
    const action = vi.fn(() => Promise.reject(refusal('reauthentication-required')));
    const confirm = vi.fn(() => Promise.resolve());
    const err = await withConfirmation(action, confirm).catch((e: unknown) => e);
    expect((err as AxiosError).response?.status).toBe(403);
    expect(action).toHaveBeenCalledTimes(2);
    expect(confirm).toHaveBeenCalledTimes(1);
  });

  it('passes any other failure on without asking', async () => {
    for (const kind of ['forbidden', 'conflict', 'unauthorized']) {
      const action = vi.fn(() => Promise.reject(refusal(kind)));
      const confirm = vi.fn(() => Promise.resolve());
      await expect(withConfirmation(action, confirm)).rejects.toBeInstanceOf(AxiosError);
      expect(confirm).not.toHaveBeenCalled();
      expect(action).toHaveBeenCalledTimes(1);
    }
  });

  it('drops the action when the person gives up on confirming', async () => {
    const action = vi.fn(() => Promise.reject(refusal('reauthentication-required')));
    const err = await withConfirmation(action, () => Promise.reject(new ConfirmationCancelled())).catch((e: unknown) => e);
    expect(isConfirmationCancelled(err)).toBe(true);
    expect(action).toHaveBeenCalledTimes(1);
  });
});
