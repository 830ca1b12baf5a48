import { useEffect, useId, useState } from 'react';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskSort, type TaskStatus } from '../api/types';
import { PRIORITY_LABELS, SORT_OPTIONS, STATUS_LABELS } from '../lib/tasks';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { PlusIcon, SearchIcon } from './Icons';

export const SEARCH_DEBOUNCE_MS = 300;

export function TaskToolbar() {
  const query = useTasks((s) => s.query);
  const setQuery = useTasks((s) => s.setQuery);
  const openDialog = useUi((s) => s.openDialog);
  const [search, setSearch] = useState(query.search);
  const ids = { search: useId(), status: useId(), priority: useId(), sort: useId() };

  // Server-side search, asked for once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setQuery({ search }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, setQuery]);

  return (
    <div className="toolbar">
      <div className="toolbar__filters" role="search" aria-label="Filter tasks">
      <div className="field toolbar__search">
        <label htmlFor={ids.search} className="field__label">
          Search
        </label>
        <div className="input-with-icon">
          <SearchIcon />
          <input
            id={ids.search}
            type="search"
            className="input"
            placeholder="Search title or description…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            autoComplete="off"
            data-testid="search-input"
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.status} className="field__label">
          Status
        </label>
        <select
          id={ids.status}
          className="input select"
          value={query.status}
          onChange={(e) => setQuery({ status: e.target.value as TaskStatus | '' })}
          data-testid="status-filter"
        >
          <option value="">All statuses</option>
          {TASK_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.priority} className="field__label">
          Priority
        </label>
        <select
          id={ids.priority}
          className="input select"
          value={query.priority}
          onChange={(e) => setQuery({ priority: e.target.value as TaskPriority | '' })}
          data-testid="priority-filter"
        >
          <option value="">All priorities</option>
          {TASK_PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {PRIORITY_LABELS[priority]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.sort} className="field__label">
          Sort by
        </label>
        <select
          id={ids.sort}
          className="input select"
          value={query.sort}
          onChange={(e) => setQuery({ sort: e.target.value as TaskSort })}
          data-testid="sort-select"
        >
          {SORT_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      </div>
      <div className="toolbar__action">
        <button
          type="button"
          className="button button--primary"
          onClick={() => openDialog({ kind: 'create' })}
          data-testid="new-task"
        >
          <PlusIcon /> New task
        </button>
      </div>
    </div>
  );
}
