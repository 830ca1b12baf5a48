import type { TaskSummary } from '../api/types';
import { useTasks } from '../stores/tasks';

const STATS: { key: keyof TaskSummary; label: string; tone: string }[] = [
  { key: 'total', label: 'Total', tone: 'total' },
  { key: 'pending', label: 'Pending', tone: 'pending' },
  { key: 'inProgress', label: 'In progress', tone: 'in-progress' },
  { key: 'completed', label: 'Completed', tone: 'completed' },
  { key: 'overdue', label: 'Overdue', tone: 'overdue' },
];

export function StatsBar() {
  const summary = useTasks((s) => s.summary);
  const error = useTasks((s) => s.summaryError);
  return (
    <section className="stats" aria-label="Task counts">
      <ul className="stats__list">
        {STATS.map(({ key, label, tone }) => (
          <li key={key} className={`stat stat--${tone}`} data-testid={`stat-${key}`}>
            <span className="stat__value" aria-hidden={summary ? undefined : true}>
              {summary ? summary[key] : '–'}
            </span>
            <span className="stat__label">
              {label}
              {summary ? null : <span className="sr-only"> count loading</span>}
            </span>
          </li>
        ))}
      </ul>
      {error && !summary ? (
        <p className="stats__error" role="alert">
          Could not load the counts: {error}
        </p>
      ) : null}
    </section>
  );
}
