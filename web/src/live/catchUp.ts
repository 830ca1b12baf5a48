import { isProblem, statusOf } from '../api/errors';
import type { ChangePage } from '../api/types';

export interface CatchUpSteps {
  /** One page of the delta query from `cursor` (from every task without one). */
  read: (cursor: string | null, signal: AbortSignal) => Promise<ChangePage>;
  /** Applies a page's changes to what the app shows. */
  apply: (page: ChangePage) => void;
  /** The cursor is too old (410): the lists are read again from scratch. */
  startOver: () => void;
}

/** Whether the server no longer keeps the changes since this cursor. */
function expired(err: unknown): boolean {
  return statusOf(err) === 410 || isProblem(err, 'cursor-expired');
}

/**
 * Catches up through the delta query (docs/realtime.md): from the cursor it holds until
 * `hasMore` is false, keeping the last `nextCursor`, so a later catch-up reads only what changed
 * since. One runs at a time; asked again meanwhile, it reads once more when done, since the
 * reason to ask (a reconnect, a `resync`) may be newer than the pages already read.
 */
export class CatchUp {
  private cursor: string | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private controller = new AbortController();

  constructor(private readonly steps: CatchUpSteps) {}

  /** The cursor held: where the next catch-up starts. */
  get position(): string | null {
    return this.cursor;
  }

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const running = this.readAll().finally(() => {
      this.running = null;
    });
    this.running = running;
    return running;
  }

  /** Stops for good: a read in flight is dropped, its changes unapplied. */
  stop(): void {
    this.controller.abort();
  }

  private async readAll(): Promise<void> {
    const { signal } = this.controller;
    do {
      this.again = false;
      let more = true;
      while (more && !signal.aborted) {
        let page: ChangePage;
        try {
          page = await this.steps.read(this.cursor, signal);
        } catch (err) {
          if (signal.aborted || !expired(err) || this.cursor === null) throw err;
          // The deletions since this cursor are forgotten: a copy built on it may hold tasks
          // that are gone. Everything is read again, and the delta query from no cursor.
          this.cursor = null;
          this.steps.startOver();
          continue;
        }
        if (signal.aborted) return;
        this.steps.apply(page);
        this.cursor = page.nextCursor;
        more = page.hasMore;
      }
    } while (this.again && !signal.aborted);
  }
}
