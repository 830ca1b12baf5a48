import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useLive } from '../stores/live';
import { useSession } from '../stores/session';
import { resetStores, settle, signIn, USER } from '../test/helpers';
import { followSession } from './follow';

describe('followSession', () => {
  beforeEach(() => resetStores());

  it('connects on sign-in, closes on sign-out, and anew for another account', async () => {
    const made: { start: ReturnType<typeof vi.fn>; stop: ReturnType<typeof vi.fn> }[] = [];
    const open = vi.fn(() => {
      const connection = { start: vi.fn(), stop: vi.fn() };
      made.push(connection);
      return Promise.resolve(connection);
    });
    const unfollow = followSession(open);
    expect(open).not.toHaveBeenCalled();

    signIn();
    expect(useLive.getState().status).toBe('connecting');
    await settle();
    expect(made[0]?.start).toHaveBeenCalledTimes(1);
    // A refreshed token is the same session: no new connection.
    useSession.getState().setAccessToken('access-2');
    expect(open).toHaveBeenCalledTimes(1);

    useSession.getState().setSession({ ...USER, id: 'u2' }, 'other');
    await settle();
    expect(made[0]?.stop).toHaveBeenCalledTimes(1);
    expect(made[1]?.start).toHaveBeenCalledTimes(1);

    useSession.getState().clearSession();
    await settle();
    expect(made[1]?.stop).toHaveBeenCalledTimes(1);
    expect(useLive.getState().status).toBe('off');
    unfollow();
  });

  it('never starts a connection whose session ended while its code loaded', async () => {
    const connection = { start: vi.fn(), stop: vi.fn() };
    const unfollow = followSession(() => Promise.resolve(connection));
    signIn();
    useSession.getState().clearSession();
    await settle();
    expect(connection.start).not.toHaveBeenCalled();
    unfollow();
  });
});
