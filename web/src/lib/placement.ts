import type { Task, TaskQuery } from '../api/types';
import { compareTasks, matchesQuery } from './tasks';

/** The list a set of tasks is placed in: its query, whom `me` names, and whether it is complete. */
export interface View {
  query: TaskQuery;
  me: string | null;
  /** No page left to load: a task sorting after the last one loaded belongs at the end. */
  complete: boolean;
}

/**
 * The loaded list after tasks changed elsewhere (`changed`: each task's new version, or null
 * when it is gone). A changed task that still matches stays where it is while that is still its
 * sorted place (no jump under the pointer for an edit that moves nothing), moves to its sorted
 * place otherwise, and leaves when it no longer matches. A task new to the list goes in its
 * sorted place, unless it sorts after the last task loaded of an incomplete list: the server
 * will return it on a later page. One pass for any number of changes: a catch-up may bring many.
 */
export function placeChanged(items: readonly Task[], changed: ReadonlyMap<string, Task | null>, view: View): Task[] {
  const { sort } = view.query;
  const fits = (task: Task | null | undefined): task is Task => Boolean(task && matchesQuery(task, view.query, view.me));
  // Every task in its newest version first, so that neighbours are judged as they now are.
  const updated = items.flatMap((task) => {
    if (!changed.has(task.id)) return [task];
    const next = changed.get(task.id);
    return fits(next) ? [next] : [];
  });
  const moving = new Set<string>();
  updated.forEach((task, index) => {
    if (!changed.has(task.id)) return;
    const before = updated[index - 1];
    const after = updated[index + 1];
    const inOrder =
      (!before || compareTasks(before, task, sort) <= 0) && (!after || compareTasks(task, after, sort) <= 0);
    if (!inOrder) moving.add(task.id);
  });
  const listed = new Set(items.map((task) => task.id));
  const arriving = [...changed.values()]
    .filter(fits)
    .filter((task) => moving.has(task.id) || !listed.has(task.id))
    .sort((a, b) => compareTasks(a, b, sort));
  if (arriving.length === 0 && updated.length === items.length && updated.every((task, i) => task === items[i])) {
    return items as Task[];
  }
  // Merged in: each goes before the first task it sorts before, as insertionIndex places one.
  const staying = moving.size > 0 ? updated.filter((task) => !moving.has(task.id)) : updated;
  const placed: Task[] = [];
  let next = 0;
  for (const task of staying) {
    for (let early = arriving[next]; early && compareTasks(early, task, sort) < 0; early = arriving[++next]) placed.push(early);
    placed.push(task);
  }
  if (view.complete) placed.push(...arriving.slice(next));
  return placed;
}
