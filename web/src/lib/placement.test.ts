import { describe, expect, it } from 'vitest';
import type { Task, TaskQuery } from '../api/types';
import { makeTask } from '../test/helpers';
import { placeChanged, type View } from './placement';
import { DEFAULT_QUERY } from './tasks';

function view(query: Partial<TaskQuery> = {}, complete = true): View {
  return { query: { ...DEFAULT_QUERY, sort: 'title', ...query }, me: 'u1', complete };
}

function titles(tasks: Task[]): string[] {
  return tasks.map((t) => t.title);
}

describe('placeChanged', () => {
  const a = makeTask({ title: 'Alpha' });
  const c = makeTask({ title: 'Charlie' });
  const e = makeTask({ title: 'Echo', status: 'completed' });
  const items = [a, c, e];

  it('puts a new task in its sorted place', () => {
    const d = makeTask({ title: 'Delta' });
    expect(titles(placeChanged(items, new Map([[d.id, d]]), view()))).toEqual(['Alpha', 'Charlie', 'Delta', 'Echo']);
  });

  it('leaves out a new task that sorts after the last one loaded of an incomplete list', () => {
    const z = makeTask({ title: 'Zulu' });
    expect(titles(placeChanged(items, new Map([[z.id, z]]), view({}, false)))).toEqual(['Alpha', 'Charlie', 'Echo']);
    expect(titles(placeChanged(items, new Map([[z.id, z]]), view({}, true)))).toEqual(['Alpha', 'Charlie', 'Echo', 'Zulu']);
  });

  it('replaces a changed task in place while that is still its sorted place', () => {
    const edited = { ...c, title: 'Bravo', revision: c.revision + 1 };
    const placed = placeChanged(items, new Map([[c.id, edited]]), view());
    expect(placed[1]).toBe(edited);
    expect(titles(placed)).toEqual(['Alpha', 'Bravo', 'Echo']);
  });

  it('moves a changed task to its new sorted place', () => {
    const renamed = { ...a, title: 'Foxtrot', revision: a.revision + 1 };
    expect(titles(placeChanged(items, new Map([[a.id, renamed]]), view()))).toEqual(['Charlie', 'Echo', 'Foxtrot']);
  });

  it('takes out a task that is gone, or no longer matches the filters', () => {
    const completed = { ...c, status: 'completed' as const, revision: c.revision + 1 };
    expect(titles(placeChanged(items, new Map([[a.id, null]]), view()))).toEqual(['Charlie', 'Echo']);
    expect(titles(placeChanged([a, c], new Map([[c.id, completed]]), view({ status: 'pending' })))).toEqual(['Alpha']);
  });

  it('does not add a new task the filters leave out, or one of another project', () => {
    const other = makeTask({ title: 'Bravo', projectId: 'p2' });
    const hidden = makeTask({ title: 'Beta', priority: 'high' });
    const changed = new Map([
      [other.id, other],
      [hidden.id, hidden],
    ]);
    expect(placeChanged(items, changed, view({ projectId: 'u1', priority: 'low' }))).toBe(items);
  });

  it('places many changes in one pass, each in order', () => {
    const b = makeTask({ title: 'Bravo' });
    const d = makeTask({ title: 'Delta' });
    const renamed = { ...e, title: 'Aardvark', revision: e.revision + 1 };
    const changed = new Map<string, Task | null>([
      [d.id, d],
      [b.id, b],
      [e.id, renamed],
      [a.id, null],
    ]);
    expect(titles(placeChanged(items, changed, view()))).toEqual(['Aardvark', 'Bravo', 'Charlie', 'Delta']);
  });

  it('returns the same list when nothing it shows changed', () => {
    const other = makeTask({ title: 'Bravo', projectId: 'p2' });
    expect(placeChanged(items, new Map([[other.id, other]]), view({ projectId: 'u1' }))).toBe(items);
  });
});
