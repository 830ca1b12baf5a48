import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { TaskQuery } from '../api/types';
import { useTasks } from '../stores/tasks';
import { StatsBar } from './StatsBar';
import { TaskDialogs } from './TaskDialogs';
import { TaskList } from './TaskList';
import { TaskToolbar } from './TaskToolbar';

interface TasksViewProps {
  title: ReactNode;
  subtitle?: ReactNode;
  /** Which tasks: one project's, the ones assigned to me, or every project's. */
  scope: Pick<TaskQuery, 'projectId' | 'assigneeId'>;
  /** Whether this person may add tasks here (a viewer of the project may not). */
  canCreate?: boolean;
  /** Controls beside the title (sharing a project). */
  actions?: ReactNode;
  testId?: string;
}

/** A list of tasks with its counts, filters and dialogs, scoped to a project, an assignee, or all. */
export function TasksView({ title, subtitle, scope, canCreate = true, actions, testId }: TasksViewProps) {
  const query = useTasks((s) => s.query);
  const setQuery = useTasks((s) => s.setQuery);
  const setScope = useTasks((s) => s.setScope);
  const { projectId, assigneeId } = scope;
  // Remounting the toolbar resets its (debounced) search box along with the filters.
  const [toolbarKey, setToolbarKey] = useState(0);

  useEffect(() => {
    setScope({ projectId, assigneeId });
  }, [projectId, assigneeId, setScope]);

  const filtered = Boolean(query.search.trim() || query.status || query.priority);
  const clearFilters = useCallback(() => {
    setQuery({ search: '', status: '', priority: '' });
    setToolbarKey((k) => k + 1);
  }, [setQuery]);

  return (
    <div className="page dashboard" data-testid={testId}>
      <div className="page__header">
        <div>
          <h1 className="page__title">{title}</h1>
          {subtitle ? <p className="page__subtitle">{subtitle}</p> : null}
        </div>
        {actions ? <div className="page__actions">{actions}</div> : null}
      </div>
      <StatsBar />
      <TaskToolbar key={toolbarKey} canCreate={canCreate} />
      <TaskList filtered={filtered} onClearFilters={clearFilters} canCreate={canCreate} />
      <TaskDialogs />
    </div>
  );
}
