import * as api from '../api/tasks';
import { errorMessage, fieldErrors, isCancel, isProblem, isTransient, problemOf, statusOf } from '../api/errors';
import type { Task, TaskChange, TaskInput, TaskPatch, TaskQuery, TaskStatus, TaskSummary } from '../api/types';
import { placeChanged } from '../lib/placement';
import { applyPatch, DEFAULT_QUERY, inScope, insertionIndex, isTempId, matchesQuery, summaryAfter } from '../lib/tasks';
import { Graveyard, takesDeletion, takesUpsert } from '../live/rules';
import { createStore } from './createStore';
import { useSession } from './session';
import { useUi } from './ui';

export const PAGE_SIZE = 50;
/** Changes heard from elsewhere come in bursts (a catch-up, a busy project): one count read per burst. */
export const SUMMARY_SETTLE_MS = 300;

export type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

/** A create not yet confirmed: its Idempotency-Key is kept for every retry of it. */
export interface PendingCreate {
  input: TaskInput;
  /** The task as shown until the server confirms it (under a temporary id). */
  task: Task;
  idempotencyKey: string;
  /** Why the last attempt failed, while the person decides to retry or discard. */
  failed: string | null;
}

/**
 * A write refused with 412: the task changed since the version this person saw (`base`).
 * `theirs` is the task as it is now; `mine` the fields this person set (for an update).
 */
export type Conflict =
  | { kind: 'update'; taskId: string; base: Task; mine: TaskPatch; theirs: Task }
  | { kind: 'delete'; taskId: string; base: Task; theirs: Task };

export interface TasksState {
  query: TaskQuery;
  /** The loaded part of the list, in server order, with optimistic changes applied. */
  items: Task[];
  /** Where the next page starts (null: the list is complete). */
  nextCursor: string | null;
  hasMore: boolean;
  listStatus: ListStatus;
  loadingMore: boolean;
  listError: string | null;
  summary: TaskSummary | null;
  summaryError: string | null;
  /** Ids (and temporary ids) of tasks with a write in flight. */
  saving: Record<string, true>;
  /** Creates not yet confirmed, by temporary id. */
  creates: Record<string, PendingCreate>;
  /** The write conflict waiting for this person's choice, if any. */
  conflict: Conflict | null;

  setQuery: (patch: Partial<TaskQuery>) => void;
  /** Shows another view (one project, the tasks assigned to me, or all), with its counts. */
  setScope: (scope: Pick<TaskQuery, 'projectId' | 'assigneeId'>) => void;
  load: () => Promise<void>;
  /** Reads the first page and the counts again, showing the list meanwhile (no loading state). */
  refresh: () => Promise<void>;
  loadMore: () => Promise<void>;
  loadSummary: () => Promise<void>;
  create: (input: TaskInput) => Promise<Task | null>;
  retryCreate: (tempId: string) => Promise<Task | null>;
  discardCreate: (tempId: string) => void;
  /**
   * Changes a task. `basedOn` is the version the person made the change on, when they saw a
   * newer one arrive meanwhile: its If-Match is then outdated, the server refuses it (412) and
   * they choose. By default the change goes on top of the newest version known.
   */
  update: (id: string, patch: TaskPatch, basedOn?: Task) => Promise<boolean>;
  toggleComplete: (id: string) => Promise<boolean>;
  remove: (id: string) => Promise<boolean>;
  /** Settles the conflict: `mine` writes this person's change over the newer version. */
  resolveConflict: (choice: 'mine' | 'theirs') => Promise<boolean>;
  /**
   * Changes made elsewhere (heard live, or read by the delta query), applied by the revision
   * rules of docs/realtime.md: the list shows each where it now sorts, or no longer.
   */
  applyChanges: (changes: readonly TaskChange[]) => void;
  /** Projects this person can no longer see: their tasks leave. */
  dropProjects: (projectIds: readonly string[]) => void;
  reset: () => void;
}

const initialData = {
  query: DEFAULT_QUERY,
  items: [] as Task[],
  nextCursor: null as string | null,
  hasMore: false,
  listStatus: 'idle' as ListStatus,
  loadingMore: false,
  listError: null,
  summary: null,
  summaryError: null,
  saving: {} as Record<string, true>,
  creates: {} as Record<string, PendingCreate>,
  conflict: null as Conflict | null,
};

/**
 * What the app knows of one task beyond the list: the version the server confirmed (whose
 * revision every write names in If-Match) and the optimistic changes not yet confirmed.
 */
interface Known {
  server: Task;
  /** Unconfirmed patches, oldest first; what the list shows is `server` with these applied. */
  pending: { patch: TaskPatch }[];
  deleting: boolean;
}

let listGeneration = 0;
let listController: AbortController | null = null;
let summaryGeneration = 0;
let tempSeq = 0;
/** Bumped by reset(): answers to requests of an earlier session change nothing. */
let epoch = 0;
const known = new Map<string, Known>();
/** Deletions heard: no older copy of a task in the project it left comes back (a page read before it). */
const graveyard = new Graveyard();
/**
 * New tasks heard while one of this person's creates awaits its answer: either may be the
 * other, so they are shown once the answer tells (never twice, the pending copy beside it).
 */
const unplaced = new Set<string>();
let summaryTimer: ReturnType<typeof setTimeout> | null = null;
/** Per task, the tail of its writes: each waits for the one before, so it names the revision that one left. */
const chains = new Map<string, Promise<unknown>>();
const inFlight = new Map<string, number>();

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

/** The id of the person signed in: `assigneeId: 'me'` names them, and their Inbox has their id. */
function me(): string | null {
  return useSession.getState().user?.id ?? null;
}

function definedOnly(patch: TaskPatch): TaskPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

function toastError(action: string, err: unknown): void {
  useUi.getState().toast('error', `${action}: ${errorMessage(err)}`);
}

/** What the list shows of a known task: the server's version and the pending changes, or nothing. */
function shown(entry: Known | null | undefined): Task | null {
  if (!entry || entry.deleting) return null;
  return entry.pending.reduce((task, { patch }) => applyPatch(task, patch), entry.server);
}

/**
 * Learns the server's version of a task, from any source (a list page, a write's answer, a live
 * event), by the revision rules: a task's revision only grows, also across moves, so only a
 * higher one is newer; a copy older than a deletion heard from its project is not brought back.
 * The entry, or null when the task is not known (and this copy of it is outdated).
 */
function learn(task: Task): Known | null {
  const entry = known.get(task.id);
  if (!takesUpsert(entry?.server, task, graveyard.buriedIn)) return entry ?? null;
  if (entry) {
    entry.server = task;
    return entry;
  }
  const fresh = { server: task, pending: [], deleting: false };
  known.set(task.id, fresh);
  return fresh;
}

/**
 * Forgets a task this person saw go (deleted, or gone on the server). Its deletion's revision is
 * not known here, only that it is past the version seen: that much outdates older copies.
 */
function forget(task: Task | undefined): void {
  if (!task) return;
  known.delete(task.id);
  graveyard.bury({ id: task.id, projectId: task.projectId, revision: task.revision + 1 });
}

/**
 * The server's version of a task the app knows, shown in the list or not (a filter it left);
 * undefined once it is gone. The same object until a newer version comes: fit for a selector.
 */
export function heldTask(id: string): Task | undefined {
  return known.get(id)?.server;
}

/** Runs `job` after every earlier write of task `id`. */
function enqueue<T>(id: string, job: () => Promise<T>): Promise<T> {
  const run = (chains.get(id) ?? Promise.resolve()).then(job);
  const tail = run.catch(() => undefined);
  chains.set(id, tail);
  void tail.then(() => {
    if (chains.get(id) === tail) chains.delete(id);
  });
  return run;
}

export const useTasks = createStore<TasksState>('tasks', (set, get) => {
  /** Re-reads the counts once no write is in flight (until then the optimistic counts stand). */
  const resyncSummary = () => {
    if (Object.keys(get().saving).length === 0) void get().loadSummary();
  };

  const startSaving = (id: string) => {
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    set((s) => ({ saving: { ...s.saving, [id]: true } }), false, 'tasks/saving');
  };

  const doneSaving = (id: string) => {
    const left = (inFlight.get(id) ?? 1) - 1;
    if (left > 0) {
      inFlight.set(id, left);
      return;
    }
    inFlight.delete(id);
    set((s) => ({ saving: without(s.saving, id) }), false, 'tasks/saved');
  };

  /**
   * Puts what the app now knows of task `id` on screen: in its place when the list holds it,
   * at `at` (or where it sorts) when it belongs in the list again, out of the list when it no
   * longer matches the query. The counts move from `before` to the new version.
   */
  const show = (id: string, before: Task | null, action: string, at = -1) => {
    const after = shown(known.get(id));
    set(
      (s) => {
        const index = s.items.findIndex((t) => t.id === id);
        let items = s.items;
        if (after && matchesQuery(after, s.query, me())) {
          if (index >= 0) items = items.map((t) => (t.id === id ? after : t));
          else {
            const where = at >= 0 ? Math.min(at, items.length) : insertionIndex(items, after, s.query.sort, !s.hasMore);
            if (where >= 0) items = [...items.slice(0, where), after, ...items.slice(where)];
          }
        } else if (index >= 0) {
          items = items.filter((t) => t.id !== id);
        }
        // The counts are the view's: a task moved out of its project or assignee leaves them.
        const counted = (task: Task | null) => (task && inScope(task, s.query, me()) ? task : null);
        return { items, summary: summaryAfter(s.summary, counted(before), counted(after)) };
      },
      false,
      action,
    );
  };

  /** Fetches the current version after a 412; null when the task is gone meanwhile. */
  const current = async (id: string): Promise<Task | null> => {
    try {
      return await api.fetchTask(id);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  };

  /** The task was deleted elsewhere: it leaves the list and the counts. */
  const vanished = (base: Task, before: Task | null) => {
    forget(base);
    set(
      (s) => ({ items: s.items.filter((t) => t.id !== base.id), summary: summaryAfter(s.summary, before, null) }),
      false,
      'tasks/vanished',
    );
    useUi.getState().toast('info', `"${base.title}" was deleted elsewhere.`);
  };

  /** Reopens the task dialog with the person's input and the server's word on each field. */
  const reopenWithFieldErrors = (err: unknown, dialog: { kind: 'create'; draft: TaskInput } | { kind: 'edit'; taskId: string; draft: TaskPatch }): boolean => {
    const errors = fieldErrors(problemOf(err));
    if (Object.keys(errors).length === 0 || useUi.getState().dialog) return false;
    useUi.getState().openDialog({ ...dialog, errors });
    return true;
  };

  const sendCreate = async (tempId: string): Promise<Task | null> => {
    const pending = get().creates[tempId];
    if (!pending) return null;
    const mine = epoch;
    const optimistic = pending.task;
    startSaving(tempId);
    try {
      const saved = await api.createTask(pending.input, pending.idempotencyKey);
      if (mine !== epoch) return null;
      learn(saved);
      const visible = matchesQuery(saved, get().query, me());
      set(
        (s) => {
          const listed = s.items.some((t) => t.id === saved.id);
          const items = s.items.flatMap((t) => (t.id === tempId ? (listed || !visible ? [] : [saved]) : [t]));
          return { items, creates: without(s.creates, tempId), summary: summaryAfter(s.summary, optimistic, saved) };
        },
        false,
        'tasks/created',
      );
      if (!visible) useUi.getState().toast('info', `Task "${saved.title}" created. It is hidden by the current filters.`);
      return saved;
    } catch (err) {
      if (mine !== epoch) return null;
      if (isTransient(err)) {
        // It may or may not have reached the server: keep it, with its key, for a retry that
        // can never make a second task. The counts hold what the server is known to have.
        const message = errorMessage(err);
        set(
          (s) => ({
            items: s.items.some((t) => t.id === tempId) ? s.items : [optimistic, ...s.items],
            creates: { ...s.creates, [tempId]: { ...pending, failed: message } },
            summary: summaryAfter(s.summary, optimistic, null),
          }),
          false,
          'tasks/createFailed',
        );
        useUi.getState().toast('error', `"${pending.input.title}" is not saved yet: ${message}`);
        return null;
      }
      set(
        (s) => ({
          items: s.items.filter((t) => t.id !== tempId),
          creates: without(s.creates, tempId),
          summary: summaryAfter(s.summary, optimistic, null),
        }),
        false,
        'tasks/createRolledBack',
      );
      toastError(`Could not create "${pending.input.title}"`, err);
      reopenWithFieldErrors(err, { kind: 'create', draft: pending.input });
      return null;
    } finally {
      if (mine === epoch) {
        doneSaving(tempId);
        placeUnplaced();
        resyncSummary();
      }
    }
  };

  /**
   * Reads the query's first page. `quiet`: the list stays on screen meanwhile and stays as it
   * was if the read fails (a refresh after changes elsewhere, not a new query).
   */
  const readFirstPage = async (quiet: boolean) => {
    listController?.abort();
    const controller = new AbortController();
    listController = controller;
    const generation = ++listGeneration;
    // A new query starts from its first page: the old cursor belongs to the old query.
    if (!quiet) set({ listStatus: 'loading', listError: null, loadingMore: false }, false, 'tasks/load');
    else if (get().loadingMore) set({ loadingMore: false }, false, 'tasks/refresh');
    try {
      const page = await api.listTasks(get().query, PAGE_SIZE, null, controller.signal);
      if (generation !== listGeneration) return;
      set(
        (s) => {
          const loaded = page.items.flatMap((task) => {
            const display = shown(learn(task));
            return display ? [display] : [];
          });
          // Creates in flight or failed stay on screen: the server may not have them yet.
          const unsaved = s.items.filter(
            (t) => isTempId(t.id) && (s.creates[t.id]?.failed || matchesQuery(t, s.query, me())),
          );
          return {
            items: [...unsaved, ...loaded],
            nextCursor: page.nextCursor,
            hasMore: page.nextCursor !== null,
            listStatus: 'ready',
            listError: null,
          };
        },
        false,
        quiet ? 'tasks/refreshed' : 'tasks/loaded',
      );
    } catch (err) {
      if (generation !== listGeneration || isCancel(err) || quiet) return;
      set({ listStatus: 'error', listError: errorMessage(err) }, false, 'tasks/loadFailed');
    }
  };

  /** Reads the counts again once a burst of changes from elsewhere has settled. */
  const summaryAfterChanges = () => {
    if (summaryTimer) clearTimeout(summaryTimer);
    const mine = epoch;
    summaryTimer = setTimeout(() => {
      summaryTimer = null;
      if (mine === epoch) resyncSummary();
    }, SUMMARY_SETTLE_MS);
  };

  /** Shows what the app now knows of these tasks where the list's query and sort put them. */
  const placeInView = (ids: Iterable<string>, action: string) => {
    const changed = new Map<string, Task | null>();
    for (const id of ids) changed.set(id, shown(known.get(id)));
    if (changed.size === 0) return;
    set(
      (s) => {
        const items = placeChanged(s.items, changed, { query: s.query, me: me(), complete: !s.hasMore });
        return items === s.items ? {} : { items };
      },
      false,
      action,
    );
  };

  const createsInFlight = () => Object.values(get().creates).some((pending) => !pending.failed);

  /** New tasks held back while a create awaited its answer, now that none does (see `unplaced`). */
  const placeUnplaced = () => {
    if (unplaced.size === 0 || createsInFlight()) return;
    const listed = new Set(get().items.map((t) => t.id));
    const ids = [...unplaced].filter((id) => !listed.has(id));
    unplaced.clear();
    placeInView(ids, 'tasks/placedAfterCreate');
  };

  /**
   * Whether the list can tell by itself which changed tasks it shows: the server lowers a search
   * and the titles in the database, whose case mapping differs from JavaScript's beyond ASCII.
   */
  const decidesLocally = () => /^\p{ASCII}*$/u.test(get().query.search.trim());

  return {
    ...initialData,

    setQuery: (patch) => {
      const current = get().query;
      const query = { ...current, ...patch };
      const same = (Object.keys(query) as (keyof TaskQuery)[]).every((key) => query[key] === current[key]);
      if (same && get().listStatus !== 'idle') return;
      set({ query }, false, 'tasks/setQuery');
      void get().load();
    },

    setScope: ({ projectId, assigneeId }) => {
      const { query } = get();
      // The same view again (a page shown anew) reloads what it shows; another view's tasks and
      // counts must not show under this one's title while it loads.
      if (query.projectId !== projectId || query.assigneeId !== assigneeId) {
        set(
          (s) => ({
            query: { ...s.query, projectId, assigneeId },
            items: s.items.filter((t) => isTempId(t.id)),
            nextCursor: null,
            hasMore: false,
            summary: null,
            summaryError: null,
          }),
          false,
          'tasks/setScope',
        );
      }
      void get().load();
      void get().loadSummary();
    },

    load: () => readFirstPage(false),

    refresh: async () => {
      await Promise.all([readFirstPage(get().listStatus === 'ready'), get().loadSummary()]);
    },

    loadMore: async () => {
      const { nextCursor, loadingMore, listStatus, query } = get();
      if (!nextCursor || loadingMore || listStatus !== 'ready') return;
      const generation = listGeneration;
      const signal = listController?.signal;
      set({ loadingMore: true, listError: null }, false, 'tasks/loadMore');
      try {
        const page = await api.listTasks(query, PAGE_SIZE, nextCursor, signal);
        if (generation !== listGeneration) return;
        set(
          (s) => {
            const seen = new Set(s.items.map((t) => t.id));
            const fresh = page.items.flatMap((task) => {
              const display = shown(learn(task));
              return display && !seen.has(task.id) ? [display] : [];
            });
            return {
              items: [...s.items, ...fresh],
              nextCursor: page.nextCursor,
              hasMore: page.nextCursor !== null,
              loadingMore: false,
            };
          },
          false,
          'tasks/loadedMore',
        );
      } catch (err) {
        if (generation !== listGeneration || isCancel(err)) return;
        if (isProblem(err, 'invalid-cursor')) {
          // The server no longer takes this cursor (its key rotated, say): start over.
          void get().load();
          return;
        }
        set({ loadingMore: false, listError: errorMessage(err) }, false, 'tasks/loadMoreFailed');
      }
    },

    loadSummary: async () => {
      const generation = ++summaryGeneration;
      try {
        const summary = await api.fetchSummary(get().query);
        if (generation !== summaryGeneration || Object.keys(get().saving).length > 0) return;
        set({ summary, summaryError: null }, false, 'tasks/summary');
      } catch (err) {
        if (generation !== summaryGeneration) return;
        set({ summaryError: errorMessage(err) }, false, 'tasks/summaryFailed');
      }
    },

    create: (input) => {
      const now = new Date().toISOString();
      const tempId = `temp-${++tempSeq}`;
      const optimistic: Task = {
        id: tempId,
        title: input.title,
        description: input.description ?? '',
        status: input.status ?? 'pending',
        priority: input.priority ?? 'medium',
        dueDate: input.dueDate ?? null,
        createdAt: now,
        updatedAt: now,
        revision: 0,
        // Without a project the server puts it in the Inbox, whose id is the account's.
        projectId: input.projectId ?? me() ?? '',
        assigneeId: input.assigneeId ?? null,
      };
      set(
        (s) => {
          const index = matchesQuery(optimistic, s.query, me())
            ? insertionIndex(s.items, optimistic, s.query.sort, !s.hasMore)
            : -1;
          const items = index < 0 ? s.items : [...s.items.slice(0, index), optimistic, ...s.items.slice(index)];
          return {
            items,
            summary: summaryAfter(s.summary, null, optimistic),
            // One key for this task, however often its creation is retried.
            creates: {
              ...s.creates,
              [tempId]: { input, task: optimistic, idempotencyKey: api.newIdempotencyKey(), failed: null },
            },
          };
        },
        false,
        'tasks/createOptimistic',
      );
      return sendCreate(tempId);
    },

    retryCreate: (tempId) => {
      const pending = get().creates[tempId];
      if (!pending?.failed) return Promise.resolve(null);
      set(
        (s) => ({
          creates: { ...s.creates, [tempId]: { ...pending, failed: null } },
          summary: summaryAfter(s.summary, null, pending.task),
        }),
        false,
        'tasks/createRetry',
      );
      return sendCreate(tempId);
    },

    discardCreate: (tempId) => {
      if (!get().creates[tempId]?.failed) return;
      set(
        (s) => ({ items: s.items.filter((t) => t.id !== tempId), creates: without(s.creates, tempId) }),
        false,
        'tasks/createDiscarded',
      );
    },

    update: (id, patch, basedOn) => {
      const entry = known.get(id);
      const before = shown(entry);
      if (!entry || !before || isTempId(id)) return Promise.resolve(false);
      const change = { patch: definedOnly(patch) };
      const at = get().items.findIndex((t) => t.id === id);
      const mine = epoch;
      entry.pending.push(change);
      show(id, before, 'tasks/updateOptimistic');
      startSaving(id);

      return enqueue(id, async () => {
        // The version the server confirmed last (after the writes before this one), unless the
        // person made this change on an older one they knew to be outdated.
        const base = basedOn ?? known.get(id)?.server ?? entry.server;
        const drop = () => {
          const live = known.get(id);
          if (live) live.pending = live.pending.filter((p) => p !== change);
        };
        try {
          const saved = await api.updateTask(id, base.revision, change.patch);
          if (mine !== epoch) return false;
          const prior = shown(known.get(id));
          drop();
          learn(saved);
          show(id, prior, 'tasks/updated', at);
          return true;
        } catch (err) {
          if (mine !== epoch) return false;
          const prior = shown(known.get(id));
          drop();
          if (statusOf(err) === 412) {
            // Someone saved a newer version: show it, and let this person choose.
            try {
              const theirs = await current(id);
              if (mine !== epoch) return false;
              if (!theirs) {
                vanished(base, prior);
                return false;
              }
              learn(theirs);
              show(id, prior, 'tasks/updateConflict', at);
              set({ conflict: { kind: 'update', taskId: id, base, mine: change.patch, theirs } }, false, 'tasks/conflict');
            } catch (fetchError) {
              show(id, prior, 'tasks/updateRolledBack', at);
              toastError(`Could not update "${base.title}"`, fetchError);
            }
            return false;
          }
          if (statusOf(err) === 404) {
            vanished(base, prior);
            return false;
          }
          show(id, prior, 'tasks/updateRolledBack', at);
          toastError(`Could not update "${base.title}"`, err);
          reopenWithFieldErrors(err, { kind: 'edit', taskId: id, draft: change.patch });
          return false;
        } finally {
          if (mine === epoch) {
            doneSaving(id);
            resyncSummary();
          }
        }
      });
    },

    toggleComplete: (id) => {
      const task = get().items.find((t) => t.id === id);
      if (!task) return Promise.resolve(false);
      const status: TaskStatus = task.status === 'completed' ? 'pending' : 'completed';
      return get().update(id, { status });
    },

    remove: (id) => {
      const entry = known.get(id);
      const before = shown(entry);
      if (!entry || !before || isTempId(id)) return Promise.resolve(false);
      const at = get().items.findIndex((t) => t.id === id);
      const mine = epoch;
      entry.deleting = true;
      show(id, before, 'tasks/removeOptimistic');
      startSaving(id);

      return enqueue(id, async () => {
        const base = known.get(id)?.server ?? entry.server;
        const restore = (action: string) => {
          const live = known.get(id);
          if (!live) return;
          live.deleting = false;
          show(id, null, action, at);
        };
        try {
          await api.deleteTask(id, base.revision);
          if (mine === epoch) forget(base);
          return true;
        } catch (err) {
          if (mine !== epoch) return false;
          if (statusOf(err) === 404) {
            // Already gone on the server: the optimistic removal was right.
            forget(base);
            return true;
          }
          if (statusOf(err) === 412) {
            try {
              const theirs = await current(id);
              if (mine !== epoch) return false;
              if (!theirs) {
                forget(base);
                return true;
              }
              learn(theirs);
              restore('tasks/removeConflict');
              set({ conflict: { kind: 'delete', taskId: id, base, theirs } }, false, 'tasks/conflict');
            } catch (fetchError) {
              restore('tasks/removeRolledBack');
              toastError(`Could not delete "${base.title}"`, fetchError);
            }
            return false;
          }
          restore('tasks/removeRolledBack');
          toastError(`Could not delete "${base.title}"`, err);
          return false;
        } finally {
          if (mine === epoch) {
            doneSaving(id);
            resyncSummary();
          }
        }
      });
    },

    resolveConflict: (choice) => {
      const conflict = get().conflict;
      if (!conflict) return Promise.resolve(false);
      set({ conflict: null }, false, 'tasks/conflictResolved');
      if (choice === 'theirs') return Promise.resolve(true);
      // The newer version is now the confirmed one: the retry names its ETag.
      return conflict.kind === 'update' ? get().update(conflict.taskId, conflict.mine) : get().remove(conflict.taskId);
    },

    applyChanges: (changes) => {
      const touched = new Set<string>();
      let changed = false;
      const holdBack = createsInFlight();
      for (const change of changes) {
        if (change.op === 'upsert') {
          const { task } = change;
          const entry = known.get(task.id);
          if (!takesUpsert(entry?.server, task, graveyard.buriedIn)) continue;
          learn(task);
          if (!entry && holdBack) unplaced.add(task.id);
          else touched.add(task.id);
        } else {
          graveyard.bury(change);
          if (!takesDeletion(known.get(change.id)?.server, change)) continue;
          known.delete(change.id);
          unplaced.delete(change.id);
          touched.add(change.id);
        }
        changed = true;
      }
      if (!changed) return;
      if (decidesLocally()) placeInView(touched, 'tasks/changedElsewhere');
      else void readFirstPage(get().listStatus === 'ready');
      summaryAfterChanges();
    },

    dropProjects: (projectIds) => {
      const lost = new Set(projectIds);
      const gone = new Set<string>();
      for (const [id, entry] of known) {
        if (lost.has(entry.server.projectId)) gone.add(id);
      }
      if (gone.size === 0) return;
      for (const id of gone) known.delete(id);
      set((s) => ({ items: s.items.filter((t) => !gone.has(t.id)) }), false, 'tasks/projectsLost');
      summaryAfterChanges();
    },

    reset: () => {
      if (summaryTimer) clearTimeout(summaryTimer);
      summaryTimer = null;
      graveyard.clear();
      unplaced.clear();
      listController?.abort();
      listController = null;
      listGeneration++;
      summaryGeneration++;
      epoch++;
      known.clear();
      chains.clear();
      inFlight.clear();
      set({ ...initialData }, false, 'tasks/reset');
    },
  };
});

// Another person's tasks must never linger after sign-out or a switch of account.
useSession.subscribe((state, previous) => {
  if (state.user?.id !== previous.user?.id) useTasks.getState().reset();
});
