import { isProblem } from '../api/errors';

/** The person closed the "confirm it's you" dialog: the action they began is dropped, silently. */
export class ConfirmationCancelled extends Error {
  constructor() {
    super('Confirmation cancelled');
    this.name = 'ConfirmationCancelled';
  }
}

export function isConfirmationCancelled(err: unknown): boolean {
  return err instanceof ConfirmationCancelled;
}

/**
 * Runs `action`. When the API answers that this session must first confirm who is there
 * (403 reauthentication-required), waits for `confirm` (it asks, and posts the answer to
 * /auth/reauthenticate; it rejects with ConfirmationCancelled when the person gives up) and runs
 * `action` once more. Whatever the second run does is the result: there is no third.
 */
export async function withConfirmation<T>(action: () => Promise<T>, confirm: () => Promise<void>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (!isProblem(err, 'reauthentication-required')) throw err;
  }
  await confirm();
  return action();
}
