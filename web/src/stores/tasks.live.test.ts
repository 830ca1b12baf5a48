import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import type { Task } from '../api/types';
import { SUMMARY_SETTLE_MS, useTasks } from './tasks';
import { deferred, loadedWithTwo, makeTask, settle, shownTitles, USER } from '../test/helpers';

const titles = shownTitles;

function upsert(task: Task) {
  return { op: 'upsert' as const, task };
}

describe('tasks store: changes made elsewhere', () => {
  let mock: MockAdapter;
  let a: Task, b: Task;

  beforeEach(async () => {
    ({ mock, a, b } = await loadedWithTwo());
    await useTasks.getState().loadSummary();
  });

  afterEach(() => mock.restore());

  it('shows a new task of the view in its sorted place, and not one of another project', () => {
    useTasks.setState((s) => ({ query: { ...s.query, projectId: USER.id } }));
    useTasks.getState().applyChanges([upsert(makeTask({ title: 'Charlie' })), upsert(makeTask({ title: 'Elsewhere', projectId: 'p2' }))]);
    expect(titles()).toEqual(['Charlie', 'Bravo', 'Alpha']);
  });

  it('moves an edited task to its sorted place, and takes it out when it stops matching', () => {
    useTasks.setState((s) => ({ query: { ...s.query, sort: 'title', status: 'pending' } }));
    useTasks.getState().applyChanges([upsert({ ...a, title: 'Zulu', revision: a.revision + 1 })]);
    expect(titles()).toEqual(['Bravo', 'Zulu']);
    useTasks.getState().applyChanges([upsert({ ...b, status: 'completed', revision: b.revision + 1 })]);
    expect(titles()).toEqual(['Zulu']);
  });

  it('reads the counts again once a burst of changes settles', async () => {
    const before = mock.history.get?.filter((r) => r.url === '/tasks/summary').length ?? 0;
    useTasks.getState().applyChanges([upsert(makeTask({ title: 'One' }))]);
    useTasks.getState().applyChanges([upsert(makeTask({ title: 'Two' }))]);
    await settle(SUMMARY_SETTLE_MS + 20);
    expect(mock.history.get?.filter((r) => r.url === '/tasks/summary')).toHaveLength(before + 1);
  });

  it('does not bring back a deleted task with a page read before its deletion', async () => {
    useTasks.getState().applyChanges([{ op: 'delete', id: a.id, projectId: a.projectId, revision: a.revision + 2 }]);
    expect(titles()).toEqual(['Bravo']);
    mock.onGet(/\/tasks$/).replyOnce(200, { items: [b, a], nextCursor: null });
    await useTasks.getState().load();
    expect(titles()).toEqual(['Bravo']);
  });

  it('keeps an optimistic edit on screen when its own live event comes before the answer', async () => {
    const answer = deferred();
    const saved = { ...a, title: 'Alpha 2', revision: a.revision + 1 };
    mock.onPatch(`/tasks/${a.id}`).replyOnce(async () => {
      await answer.promise;
      return [200, saved];
    });
    const seen: string[][] = [];
    const unsubscribe = useTasks.subscribe(() => seen.push(titles()));
    const writing = useTasks.getState().update(a.id, { title: 'Alpha 2' });
    useTasks.getState().applyChanges([upsert(saved)]);
    answer.resolve();
    expect(await writing).toBe(true);
    unsubscribe();
    // Never the old title again, at any step.
    expect(seen.every((list) => list.includes('Alpha 2') && !list.includes('Alpha'))).toBe(true);
  });

  it('keeps a newer version heard live over the answer to an older write', async () => {
    const mine = { ...a, title: 'Mine', revision: a.revision + 1 };
    const theirs = { ...mine, priority: 'high' as const, revision: a.revision + 2 };
    const answer = deferred();
    mock.onPatch(`/tasks/${a.id}`).replyOnce(async () => {
      await answer.promise;
      return [200, mine];
    });
    const writing = useTasks.getState().update(a.id, { title: 'Mine' });
    useTasks.getState().applyChanges([upsert(theirs)]);
    answer.resolve();
    await writing;
    expect(useTasks.getState().items.find((t) => t.id === a.id)).toMatchObject({ title: 'Mine', priority: 'high' });
  });

  it('shows a create once when its live event comes before the answer', async () => {
    const answer = deferred();
    const made = makeTask({ title: 'New one' });
    mock.onPost(/\/tasks$/).replyOnce(async () => {
      await answer.promise;
      return [201, made];
    });
    const creating = useTasks.getState().create({ title: 'New one' });
    useTasks.getState().applyChanges([upsert(made)]);
    expect(titles().filter((t) => t === 'New one')).toHaveLength(1);
    answer.resolve();
    await creating;
    expect(titles()).toEqual(['New one', 'Bravo', 'Alpha']);
    expect(useTasks.getState().items[0]?.id).toBe(made.id);
  });

  it('shows a task heard during another person’s create once that create is answered', async () => {
    const answer = deferred();
    const mine = makeTask({ title: 'Mine' });
    const theirs = makeTask({ title: 'Theirs' });
    mock.onPost(/\/tasks$/).replyOnce(async () => {
      await answer.promise;
      return [201, mine];
    });
    const creating = useTasks.getState().create({ title: 'Mine' });
    useTasks.getState().applyChanges([upsert(theirs)]);
    expect(titles()).toEqual(['Mine', 'Bravo', 'Alpha']);
    answer.resolve();
    await creating;
    expect(titles()).toEqual(['Theirs', 'Mine', 'Bravo', 'Alpha']);
  });

  it('drops the tasks of projects this person lost', () => {
    const shared = makeTask({ title: 'Shared', projectId: 'p2' });
    useTasks.getState().applyChanges([upsert(shared)]);
    expect(titles()).toContain('Shared');
    useTasks.getState().dropProjects(['p2']);
    expect(titles()).toEqual(['Bravo', 'Alpha']);
  });
});
