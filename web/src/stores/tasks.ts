import * as api from '../api/tasks';
import { errorMessage, isCancel, statusOf } from '../api/errors';
import type { Task, TaskInput, TaskPatch, TaskQuery, TaskStatus, TaskSummary } from '../api/types';
import { DEFAULT_QUERY, insertionIndex, isTempId, matchesQuery, summaryAfter } from '../lib/tasks';
import { createStore } from './createStore';
import { useSession } from './session';
import { useUi } from './ui';

export const PAGE_SIZE = 50;

export type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface TasksState {
  query: TaskQuery;
  /** The loaded window of the list, in server order, plus optimistic changes. */
  items: Task[];
  /** How many tasks match the query on the server. */
  total: number;
  hasMore: boolean;
  listStatus: ListStatus;
  loadingMore: boolean;
  listError: string | null;
  summary: TaskSummary | null;
  summaryError: string | null;
  /** Ids of tasks with a write in flight. */
  saving: Record<string, true>;

  setQuery: (patch: Partial<TaskQuery>) => void;
  load: () => Promise<void>;
  loadMore: () => Promise<void>;
  loadSummary: () => Promise<void>;
  create: (input: TaskInput) => Promise<Task | null>;
  update: (id: string, patch: TaskPatch) => Promise<boolean>;
  toggleComplete: (id: string) => Promise<boolean>;
  remove: (id: string) => Promise<boolean>;
  reset: () => void;
}

const initialData = {
  query: DEFAULT_QUERY,
  items: [] as Task[],
  total: 0,
  hasMore: false,
  listStatus: 'idle' as ListStatus,
  loadingMore: false,
  listError: null,
  summary: null,
  summaryError: null,
  saving: {} as Record<string, true>,
};

let listGeneration = 0;
let listController: AbortController | null = null;
let summaryGeneration = 0;
let tempSeq = 0;

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

function definedOnly(patch: TaskPatch): TaskPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

function confirmedCount(items: readonly Task[]): number {
  return items.reduce((n, t) => (isTempId(t.id) ? n : n + 1), 0);
}

function toastError(action: string, err: unknown): void {
  useUi.getState().toast('error', `${action}: ${errorMessage(err)}`);
}

export const useTasks = createStore<TasksState>('tasks', (set, get) => {
  /** Re-reads the counts once no write is in flight (until then the optimistic counts stand). */
  const resyncSummary = () => {
    if (Object.keys(get().saving).length === 0) void get().loadSummary();
  };

  return {
    ...initialData,

    setQuery: (patch) => {
      const query = { ...get().query, ...patch };
      const current = get().query;
      if (
        query.search === current.search &&
        query.status === current.status &&
        query.priority === current.priority &&
        query.sort === current.sort &&
        get().listStatus !== 'idle'
      ) {
        return;
      }
      set({ query }, false, 'tasks/setQuery');
      void get().load();
    },

    load: async () => {
      listController?.abort();
      const controller = new AbortController();
      listController = controller;
      const generation = ++listGeneration;
      set({ listStatus: 'loading', listError: null, loadingMore: false }, false, 'tasks/load');
      try {
        const page = await api.listTasks(get().query, 0, PAGE_SIZE, controller.signal);
        if (generation !== listGeneration) return;
        set(
          { items: page.tasks, total: page.total, hasMore: page.hasMore, listStatus: 'ready' },
          false,
          'tasks/loaded',
        );
      } catch (err) {
        if (generation !== listGeneration || isCancel(err)) return;
        set({ listStatus: 'error', listError: errorMessage(err) }, false, 'tasks/loadFailed');
      }
    },

    loadMore: async () => {
      const { hasMore, loadingMore, listStatus, items, query } = get();
      if (!hasMore || loadingMore || listStatus !== 'ready') return;
      const generation = listGeneration;
      const signal = listController?.signal;
      set({ loadingMore: true, listError: null }, false, 'tasks/loadMore');
      try {
        const page = await api.listTasks(query, confirmedCount(items), PAGE_SIZE, signal);
        if (generation !== listGeneration) return;
        set(
          (s) => {
            const seen = new Set(s.items.map((t) => t.id));
            const fresh = page.tasks.filter((t) => !seen.has(t.id));
            return { items: [...s.items, ...fresh], total: page.total, hasMore: page.hasMore, loadingMore: false };
          },
          false,
          'tasks/loadedMore',
        );
      } catch (err) {
        if (generation !== listGeneration || isCancel(err)) return;
        set({ loadingMore: false, listError: errorMessage(err) }, false, 'tasks/loadMoreFailed');
      }
    },

    loadSummary: async () => {
      const generation = ++summaryGeneration;
      try {
        const summary = await api.fetchSummary();
        if (generation !== summaryGeneration || Object.keys(get().saving).length > 0) return;
        set({ summary, summaryError: null }, false, 'tasks/summary');
      } catch (err) {
        if (generation !== summaryGeneration) return;
        set({ summaryError: errorMessage(err) }, false, 'tasks/summaryFailed');
      }
    },

    create: async (input) => {
      const now = new Date().toISOString();
      const tempId = `temp-${++tempSeq}`;
      const optimistic: Task = {
        id: tempId,
        userId: useSession.getState().user?.id ?? '',
        title: input.title,
        description: input.description ?? '',
        status: input.status ?? 'pending',
        priority: input.priority ?? 'medium',
        dueDate: input.dueDate ?? null,
        createdAt: now,
        updatedAt: now,
      };
      const { query } = get();
      const generation = listGeneration;
      const visible = matchesQuery(optimistic, query);
      set(
        (s) => {
          const index = visible ? insertionIndex(s.items, optimistic, s.query.sort, !s.hasMore) : -1;
          const items = index < 0 ? s.items : [...s.items.slice(0, index), optimistic, ...s.items.slice(index)];
          return {
            items,
            total: visible ? s.total + 1 : s.total,
            summary: summaryAfter(s.summary, null, optimistic),
            saving: { ...s.saving, [tempId]: true },
          };
        },
        false,
        'tasks/createOptimistic',
      );
      try {
        const saved = await api.createTask(input);
        set(
          (s) => ({
            items: s.items.map((t) => (t.id === tempId ? saved : t)),
            saving: without(s.saving, tempId),
          }),
          false,
          'tasks/created',
        );
        if (!visible) useUi.getState().toast('info', `Task "${saved.title}" created. It is hidden by the current filters.`);
        resyncSummary();
        return saved;
      } catch (err) {
        set(
          (s) => ({
            items: s.items.filter((t) => t.id !== tempId),
            total: visible && generation === listGeneration ? s.total - 1 : s.total,
            summary: summaryAfter(s.summary, optimistic, null),
            saving: without(s.saving, tempId),
          }),
          false,
          'tasks/createRolledBack',
        );
        toastError(`Could not create "${input.title}"`, err);
        resyncSummary();
        return null;
      }
    },

    update: async (id, patch) => {
      const state = get();
      const index = state.items.findIndex((t) => t.id === id);
      const before = state.items[index];
      if (!before || isTempId(id)) return false;
      const after: Task = { ...before, ...definedOnly(patch), updatedAt: new Date().toISOString() };
      const stillVisible = matchesQuery(after, state.query);
      const generation = listGeneration;
      set(
        (s) => ({
          items: stillVisible ? s.items.map((t) => (t.id === id ? after : t)) : s.items.filter((t) => t.id !== id),
          total: stillVisible ? s.total : s.total - 1,
          summary: summaryAfter(s.summary, before, after),
          saving: { ...s.saving, [id]: true },
        }),
        false,
        'tasks/updateOptimistic',
      );
      try {
        const saved = await api.updateTask(id, patch);
        set(
          (s) => ({
            items: s.items.map((t) => (t.id === id ? saved : t)),
            saving: without(s.saving, id),
          }),
          false,
          'tasks/updated',
        );
        resyncSummary();
        return true;
      } catch (err) {
        const keys = Object.keys(patch) as (keyof TaskPatch)[];
        set(
          (s) => {
            const sameList = generation === listGeneration;
            let items = s.items;
            let total = s.total;
            const current = items.find((t) => t.id === id);
            if (current) {
              // Revert only the fields this update changed, keeping any later edit.
              const reverted: Task = { ...current, updatedAt: before.updatedAt };
              for (const key of keys) Object.assign(reverted, { [key]: before[key] });
              items = items.map((t) => (t.id === id ? reverted : t));
            } else if (!stillVisible && sameList) {
              const at = Math.min(index, items.length);
              items = [...items.slice(0, at), before, ...items.slice(at)];
              total += 1;
            }
            return {
              items,
              total,
              summary: summaryAfter(s.summary, after, before),
              saving: without(s.saving, id),
            };
          },
          false,
          'tasks/updateRolledBack',
        );
        toastError(`Could not update "${before.title}"`, err);
        resyncSummary();
        return false;
      }
    },

    toggleComplete: (id) => {
      const task = get().items.find((t) => t.id === id);
      if (!task) return Promise.resolve(false);
      const status: TaskStatus = task.status === 'completed' ? 'pending' : 'completed';
      return get().update(id, { status });
    },

    remove: async (id) => {
      const state = get();
      const index = state.items.findIndex((t) => t.id === id);
      const before = state.items[index];
      if (!before || isTempId(id)) return false;
      const generation = listGeneration;
      set(
        (s) => ({
          items: s.items.filter((t) => t.id !== id),
          total: s.total - 1,
          summary: summaryAfter(s.summary, before, null),
          saving: { ...s.saving, [id]: true },
        }),
        false,
        'tasks/removeOptimistic',
      );
      try {
        await api.deleteTask(id);
        set((s) => ({ saving: without(s.saving, id) }), false, 'tasks/removed');
        resyncSummary();
        return true;
      } catch (err) {
        if (statusOf(err) === 404) {
          // Already gone on the server: the optimistic removal was right.
          set((s) => ({ saving: without(s.saving, id) }), false, 'tasks/removed');
          resyncSummary();
          return true;
        }
        set(
          (s) => {
            const sameList = generation === listGeneration && !s.items.some((t) => t.id === id);
            const at = Math.min(index, s.items.length);
            return {
              items: sameList ? [...s.items.slice(0, at), before, ...s.items.slice(at)] : s.items,
              total: sameList ? s.total + 1 : s.total,
              summary: summaryAfter(s.summary, null, before),
              saving: without(s.saving, id),
            };
          },
          false,
          'tasks/removeRolledBack',
        );
        toastError(`Could not delete "${before.title}"`, err);
        resyncSummary();
        return false;
      }
    },

    reset: () => {
      listController?.abort();
      listController = null;
      listGeneration++;
      summaryGeneration++;
      set({ ...initialData }, false, 'tasks/reset');
    },
  };
});

// Another person's tasks must never linger after sign-out or a switch of account.
useSession.subscribe((state, previous) => {
  if (state.user?.id !== previous.user?.id) useTasks.getState().reset();
});

