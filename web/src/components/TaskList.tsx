import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { Project, Task } from '../api/types';
import { isOverdue, knownTotal } from '../lib/tasks';
import { useNow } from '../lib/useNow';
import { canWrite, useProjects } from '../stores/projects';
import { useSession } from '../stores/session';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { PlusIcon } from './Icons';
import { TaskCard } from './TaskCard';
import { WindowedGrid } from './WindowedGrid';

/**
 * From this many loaded tasks on, only the rows near the viewport are in the page. Shorter lists
 * (four pages) render whole, so find-in-page and Tab reach every card.
 */
export const WINDOW_FROM = 200;
/** The task grid's geometry, as the stylesheet sets it (`.task-grid`). */
const GRID = { minColumn: 300, gap: 16, estimate: 230 };

interface TaskListProps {
  filtered: boolean;
  onClearFilters: () => void;
  /** Whether this person may add tasks here (not in a project they only view). */
  canCreate?: boolean;
}

function SkeletonGrid() {
  return (
    <div className="task-grid" aria-hidden="true">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="task-card task-card--skeleton">
          <span className="skeleton skeleton--title" />
          <span className="skeleton skeleton--line" />
          <span className="skeleton skeleton--line skeleton--short" />
        </div>
      ))}
    </div>
  );
}

function countText(shown: number, total: number | null, hasMore: boolean): string {
  const tasks = (n: number) => `${n} ${n === 1 ? 'task' : 'tasks'}`;
  if (total !== null) return `Showing ${shown} of ${tasks(Math.max(total, shown))}`;
  return hasMore ? `Showing ${shown} tasks, more below` : `Showing ${tasks(shown)}`;
}

/** What a card needs of the projects: whether its task is read-only, its assignee's name, its project. */
function useCardContext() {
  const projects = useProjects((s) => s.projects);
  const members = useProjects((s) => s.members);
  const me = useSession((s) => s.user?.id ?? null);
  const crossProject = useTasks((s) => !s.query.projectId);
  const byId = useMemo(() => new Map(projects.map((p) => [p.id, p])), [projects]);
  const assigneeName = useCallback(
    (task: Task): string | null => {
      if (!task.assigneeId) return null;
      if (task.assigneeId === me) return 'You';
      return members[task.projectId]?.find((m) => m.userId === task.assigneeId)?.name ?? 'A member';
    },
    [members, me],
  );
  return { byId, assigneeName, crossProject, me };
}

export function TaskList({ filtered, onClearFilters, canCreate = true }: TaskListProps) {
  const items = useTasks((s) => s.items);
  // v2 lists carry no count; the summary tells it when no search or priority filter applies.
  const total = useTasks((s) => knownTotal(s.query, s.summary));
  const creates = useTasks((s) => s.creates);
  const hasMore = useTasks((s) => s.hasMore);
  const status = useTasks((s) => s.listStatus);
  const loadingMore = useTasks((s) => s.loadingMore);
  const error = useTasks((s) => s.listError);
  const saving = useTasks((s) => s.saving);
  const load = useTasks((s) => s.load);
  const loadMore = useTasks((s) => s.loadMore);
  const openDialog = useUi((s) => s.openDialog);
  const now = useNow();
  const sentinel = useRef<HTMLDivElement>(null);
  const { byId, assigneeName, crossProject, me } = useCardContext();
  const loadMembers = useProjects((s) => s.loadMembers);

  // Names of the people tasks are assigned to come from their projects' member lists.
  useEffect(() => {
    const wanted = new Set<string>();
    for (const task of items) if (task.assigneeId && task.assigneeId !== me) wanted.add(task.projectId);
    for (const projectId of wanted) void loadMembers(projectId);
  }, [items, me, loadMembers]);

  const renderCard = (task: Task) => {
    const project: Project | undefined = byId.get(task.projectId);
    return (
      <TaskCard
        key={task.id}
        task={task}
        saving={task.id in saving}
        overdue={isOverdue(task, now)}
        failed={creates[task.id]?.failed ?? null}
        readOnly={project ? !canWrite(project) : false}
        assignee={assigneeName(task)}
        project={crossProject ? project : undefined}
      />
    );
  };

  // Infinite scroll: fetch the next page as the end of the list comes near. Re-observing after
  // each page makes a sentinel that is still visible (tall screens) fire again.
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasMore || loadingMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void loadMore();
      },
      { rootMargin: '800px 0px' },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, items.length, loadMore]);

  const busy = status === 'loading';

  if (items.length === 0) {
    if (status === 'idle' || busy) {
      return (
        <section className="task-list" aria-busy="true" aria-label="Tasks" data-testid="task-list-loading">
          <p className="sr-only" role="status">
            Loading tasks…
          </p>
          <SkeletonGrid />
        </section>
      );
    }
    if (status === 'error') {
      return (
        <section className="task-list" aria-label="Tasks">
          <div className="state-panel state-panel--error" role="alert" data-testid="task-list-error">
            <h2>Could not load your tasks</h2>
            <p>{error}</p>
            <button type="button" className="button button--primary" onClick={() => void load()}>
              Try again
            </button>
          </div>
        </section>
      );
    }
    return (
      <section className="task-list" aria-label="Tasks">
        <div className="state-panel" data-testid="task-list-empty">
          {filtered ? (
            <>
              <h2>No tasks match your filters</h2>
              <p>Try another search or clear the filters.</p>
              <button type="button" className="button button--secondary" onClick={onClearFilters}>
                Clear filters
              </button>
            </>
          ) : (
            <>
              <h2>No tasks yet</h2>
              {canCreate ? (
                <>
                  <p>Create your first task to get started.</p>
                  <button type="button" className="button button--primary" onClick={() => openDialog({ kind: 'create' })}>
                    <PlusIcon /> Create a task
                  </button>
                </>
              ) : (
                <p>Nothing here yet.</p>
              )}
            </>
          )}
        </div>
      </section>
    );
  }

  return (
    <section className="task-list" aria-label="Tasks" aria-busy={busy}>
      <div className="task-list__header">
        <p className="task-list__count" role="status" data-testid="task-count">
          {countText(items.length, total, hasMore)}
        </p>
        {busy ? <span className="progress-dot" aria-hidden="true" /> : null}
      </div>
      {status === 'error' && error ? (
        <div className="inline-error" role="alert">
          {error}{' '}
          <button type="button" className="link-button" onClick={() => void load()}>
            Retry
          </button>
        </div>
      ) : null}
      {items.length >= WINDOW_FROM ? (
        <WindowedGrid
          items={items}
          keyOf={(task) => task.id}
          renderItem={renderCard}
          {...GRID}
          className={busy ? 'task-grid--stale' : ''}
          testId="task-grid"
        />
      ) : (
        <div className={`task-grid${busy ? ' task-grid--stale' : ''}`} data-testid="task-grid">
          {items.map(renderCard)}
        </div>
      )}
      <div ref={sentinel} className="task-list__footer">
        {loadingMore ? (
          <span className="task-list__loading" role="status">
            <span className="spinner spinner--sm" aria-hidden="true" /> Loading more tasks…
          </span>
        ) : hasMore ? (
          <button type="button" className="button button--secondary" onClick={() => void loadMore()} data-testid="load-more">
            Load more
          </button>
        ) : items.length > 6 ? (
          <span className="task-list__end">You have reached the end of the list.</span>
        ) : null}
        {error && status === 'ready' ? (
          <p className="inline-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </section>
  );
}
