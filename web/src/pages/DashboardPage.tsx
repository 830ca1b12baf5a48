import { useCallback, useEffect, useState } from 'react';
import { StatsBar } from '../components/StatsBar';
import { TaskDialogs } from '../components/TaskDialogs';
import { TaskList } from '../components/TaskList';
import { TaskToolbar } from '../components/TaskToolbar';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useSession } from '../stores/session';
import { useTasks } from '../stores/tasks';

export default function DashboardPage() {
  useDocumentTitle('Dashboard');
  const name = useSession((s) => s.user?.name);
  const query = useTasks((s) => s.query);
  const setQuery = useTasks((s) => s.setQuery);
  const load = useTasks((s) => s.load);
  const loadSummary = useTasks((s) => s.loadSummary);
  // Remounting the toolbar resets its (debounced) search box along with the filters.
  const [toolbarKey, setToolbarKey] = useState(0);

  useEffect(() => {
    void load();
    void loadSummary();
  }, [load, loadSummary]);

  const filtered = Boolean(query.search.trim() || query.status || query.priority);
  const clearFilters = useCallback(() => {
    setQuery({ search: '', status: '', priority: '' });
    setToolbarKey((k) => k + 1);
  }, [setQuery]);

  return (
    <div className="page dashboard">
      <div className="page__header">
        <div>
          <h1 className="page__title">Your tasks</h1>
          <p className="page__subtitle">{name ? `Good to see you, ${name}.` : 'Plan, track and finish your work.'}</p>
        </div>
      </div>
      <StatsBar />
      <TaskToolbar key={toolbarKey} />
      <TaskList filtered={filtered} onClearFilters={clearFilters} />
      <TaskDialogs />
    </div>
  );
}
