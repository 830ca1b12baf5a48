import { describe, expect, it } from 'vitest';
import { Graveyard, outdates, takesDeletion, takesUpsert, type Deletion, type Identified } from './rules';

const nothingBuried = () => undefined;

interface Copy extends Identified {
  title: string;
}

/**
 * A client's copy of tasks kept by the rules alone, as tests/realtime/live.py keeps one: the
 * same changes in any order that the server may deliver them must end in the same copy.
 */
function replay(changes: ({ op: 'upsert'; task: Copy } | ({ op: 'delete' } & Deletion))[]): Map<string, Copy> {
  const tasks = new Map<string, Copy>();
  const graveyard = new Graveyard();
  for (const change of changes) {
    if (change.op === 'upsert') {
      if (takesUpsert(tasks.get(change.task.id), change.task, graveyard.buriedIn)) tasks.set(change.task.id, change.task);
    } else {
      graveyard.bury(change);
      if (takesDeletion(tasks.get(change.id), change)) tasks.delete(change.id);
    }
  }
  return tasks;
}

describe('the apply rules', () => {
  it('takes an upsert of a task not held, or with a higher revision than the held copy', () => {
    const held = { id: 't', projectId: 'p', revision: 5 };
    expect(takesUpsert(undefined, held, nothingBuried)).toBe(true);
    expect(takesUpsert(held, { ...held, revision: 6 }, nothingBuried)).toBe(true);
    expect(takesUpsert(held, { ...held, revision: 5 }, nothingBuried)).toBe(false);
    expect(takesUpsert(held, { ...held, revision: 4 }, nothingBuried)).toBe(false);
  });

  it('compares revisions across projects: they only grow, also across moves', () => {
    const held = { id: 't', projectId: 'p', revision: 5 };
    expect(takesUpsert(held, { id: 't', projectId: 'q', revision: 9 }, nothingBuried)).toBe(true);
    expect(takesUpsert({ ...held, projectId: 'q', revision: 9 }, held, nothingBuried)).toBe(false);
  });

  it('removes a held copy only in the deletion’s project and with a lower revision', () => {
    const deletion = { id: 't', projectId: 'p', revision: 7 };
    expect(takesDeletion({ projectId: 'p', revision: 6 }, deletion)).toBe(true);
    expect(takesDeletion({ projectId: 'p', revision: 7 }, deletion)).toBe(false);
    expect(takesDeletion({ projectId: 'p', revision: 8 }, deletion)).toBe(false);
    // Moved on to another project: the deletion is the move's, the copy stays.
    expect(takesDeletion({ projectId: 'q', revision: 3 }, deletion)).toBe(false);
    expect(takesDeletion(undefined, deletion)).toBe(false);
  });

  it('does not bring back an older copy of a project once its deletion is remembered', () => {
    const graveyard = new Graveyard();
    graveyard.bury({ id: 't', projectId: 'p', revision: 7 });
    expect(takesUpsert(undefined, { id: 't', projectId: 'p', revision: 6 }, graveyard.buriedIn)).toBe(false);
    // A newer copy there (moved back since) and a copy elsewhere are not outdated.
    expect(takesUpsert(undefined, { id: 't', projectId: 'p', revision: 8 }, graveyard.buriedIn)).toBe(true);
    expect(takesUpsert(undefined, { id: 't', projectId: 'q', revision: 2 }, graveyard.buriedIn)).toBe(true);
    expect(takesUpsert(undefined, { id: 'u', projectId: 'p', revision: 1 }, graveyard.buriedIn)).toBe(true);
  });

  it('remembers the newest deletion per task and project', () => {
    const graveyard = new Graveyard();
    graveyard.bury({ id: 't', projectId: 'p', revision: 7 });
    graveyard.bury({ id: 't', projectId: 'p', revision: 4 });
    graveyard.bury({ id: 't', projectId: 'q', revision: 2 });
    expect(graveyard.buriedIn('t', 'p')).toBe(7);
    expect(graveyard.buriedIn('t', 'q')).toBe(2);
    graveyard.clear();
    expect(graveyard.buriedIn('t', 'p')).toBeUndefined();
  });

  it('outdates only copies of the same project', () => {
    expect(outdates({ projectId: 'p', revision: 3 }, { projectId: 'p', revision: 2 })).toBe(true);
    expect(outdates({ projectId: 'p', revision: 3 }, { projectId: 'q', revision: 2 })).toBe(false);
  });

  describe('ends with the server’s state whatever the order heard', () => {
    const created: Copy = { id: 't', projectId: 'p', revision: 1, title: 'Draft' };
    const edited: Copy = { ...created, revision: 2, title: 'Final' };
    const deleted = { op: 'delete' as const, id: 't', projectId: 'p', revision: 3 };

    it('an edit heard live before a catch-up page that read the older copy', () => {
      const tasks = replay([{ op: 'upsert', task: edited }, { op: 'upsert', task: created }]);
      expect(tasks.get('t')?.title).toBe('Final');
    });

    it('a deletion heard before a page read just before it', () => {
      const tasks = replay([{ op: 'upsert', task: created }, deleted, { op: 'upsert', task: edited }]);
      expect(tasks.has('t')).toBe(false);
    });

    it('a move: the new project’s upsert before or after the old project’s deletion', () => {
      const moved: Copy = { ...edited, projectId: 'q', revision: 9 };
      const leftP = { op: 'delete' as const, id: 't', projectId: 'p', revision: 4 };
      const orders = [
        [{ op: 'upsert' as const, task: created }, { op: 'upsert' as const, task: moved }, leftP],
        [{ op: 'upsert' as const, task: created }, leftP, { op: 'upsert' as const, task: moved }],
        [leftP, { op: 'upsert' as const, task: moved }, { op: 'upsert' as const, task: created }],
      ];
      for (const order of orders) expect(replay(order).get('t')).toEqual(moved);
    });
  });
});
