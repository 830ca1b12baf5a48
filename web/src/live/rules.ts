/**
 * How a change heard twice — live and in a catch-up page, or in pages read around it — is
 * applied once (docs/realtime.md, "Catching up"). A task's revision only grows, also across
 * moves, so of two copies the higher revision is the newer. A deletion's revision is that of
 * the project the task left: it outdates only copies in that project, also one that arrives
 * after it (a page read just before the deletion), so deletions are remembered.
 */

/** What the rules read of a task: where it is and how new. */
export interface Versioned {
  revision: number;
  projectId: string;
}

/** One task's copy or deletion. */
export interface Identified extends Versioned {
  id: string;
}

/** A task that left a project (deleted, or moved to another), as the server tells it. */
export type Deletion = Identified;

/** Looks up the newest remembered deletion of task `id` from `projectId` (its revision). */
export type BuriedIn = (id: string, projectId: string) => number | undefined;

/** Whether a deletion is newer than a copy seen in the same project. */
export function outdates(deletion: Versioned, seen: Versioned): boolean {
  return deletion.projectId === seen.projectId && seen.revision < deletion.revision;
}

/**
 * Whether an upsert replaces the held copy (none held: it is new). A remembered deletion from
 * the upsert's project with a higher revision outdates it: the task left that project since.
 */
export function takesUpsert(held: Versioned | undefined, incoming: Identified, buriedIn: BuriedIn): boolean {
  const buried = buriedIn(incoming.id, incoming.projectId);
  if (buried !== undefined && outdates({ projectId: incoming.projectId, revision: buried }, incoming)) return false;
  return held === undefined || held.revision < incoming.revision;
}

/** Whether a deletion removes the held copy: only one in the deletion's project, and older. */
export function takesDeletion(held: Versioned | undefined, deletion: Deletion): boolean {
  return held !== undefined && outdates(deletion, held);
}

/** The deletions heard, newest per task and project, so that no older copy comes back. */
export class Graveyard {
  private readonly revisions = new Map<string, number>();

  private static key(id: string, projectId: string): string {
    return `${id} ${projectId}`;
  }

  readonly buriedIn: BuriedIn = (id, projectId) => this.revisions.get(Graveyard.key(id, projectId));

  bury(deletion: Deletion): void {
    const key = Graveyard.key(deletion.id, deletion.projectId);
    const known = this.revisions.get(key);
    if (known === undefined || known < deletion.revision) this.revisions.set(key, deletion.revision);
  }

  clear(): void {
    this.revisions.clear();
  }
}
