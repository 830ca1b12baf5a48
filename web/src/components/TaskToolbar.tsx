import { useEffect, useId, useState } from 'react';
import { PRIORITY_OPTIONS, SORT_OPTIONS, STATUS_OPTIONS } from '../lib/tasks';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { Field, SelectField } from './Field';
import { PlusIcon, SearchIcon } from './Icons';

export const SEARCH_DEBOUNCE_MS = 300;

export function TaskToolbar({ canCreate = true }: { canCreate?: boolean }) {
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
        <Field id={ids.search} label="Search" className="toolbar__search">
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
        </Field>
        <SelectField
          id={ids.status}
          label="Status"
          value={query.status}
          onChange={(status) => setQuery({ status })}
          options={STATUS_OPTIONS}
          emptyOption="All statuses"
          testId="status-filter"
        />
        <SelectField
          id={ids.priority}
          label="Priority"
          value={query.priority}
          onChange={(priority) => setQuery({ priority })}
          options={PRIORITY_OPTIONS}
          emptyOption="All priorities"
          testId="priority-filter"
        />
        <SelectField
          id={ids.sort}
          label="Sort by"
          value={query.sort}
          onChange={(sort) => setQuery({ sort })}
          options={SORT_OPTIONS}
          testId="sort-select"
        />
      </div>
      {canCreate ? (
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
      ) : null}
    </div>
  );
}
