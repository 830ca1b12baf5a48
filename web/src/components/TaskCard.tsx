import { memo } from 'react';
import type { Project, Task } from '../api/types';
import { formatDate, isTempId, PRIORITY_LABELS, STATUS_LABELS } from '../lib/tasks';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { CalendarIcon, CheckIcon, ClockIcon, EditIcon, TrashIcon, UserIcon } from './Icons';

interface TaskCardProps {
  task: Task;
  saving: boolean;
  /** Computed by the list, so a ticking clock re-renders only the cards whose state flips. */
  overdue: boolean;
  /** Why creating this (unsaved) task failed, while it waits for a retry or a discard. */
  failed?: string | null;
  /** In a project this person only views: no controls that change it. */
  readOnly?: boolean;
  /** The name of whom it is assigned to ("You" for the person signed in); null for nobody. */
  assignee?: string | null;
  /** Its project, in views across projects. */
  project?: Project | undefined;
}

/** The card's buttons that open a dialog on its task, in order. */
const CARD_ACTIONS = [
  { kind: 'edit', label: 'Edit', Icon: EditIcon, className: '' },
  { kind: 'delete', label: 'Delete', Icon: TrashIcon, className: ' button--danger-text' },
] as const;

function TaskCardView({ task, saving, overdue, failed = null, readOnly = false, assignee = null, project }: TaskCardProps) {
  const toggleComplete = useTasks((s) => s.toggleComplete);
  const retryCreate = useTasks((s) => s.retryCreate);
  const discardCreate = useTasks((s) => s.discardCreate);
  const openDialog = useUi((s) => s.openDialog);
  const completed = task.status === 'completed';
  const unsaved = isTempId(task.id);
  const titleId = `task-title-${task.id}`;

  return (
    <article
      className={`task-card${completed ? ' task-card--completed' : ''}${overdue ? ' task-card--overdue' : ''}${saving ? ' task-card--saving' : ''}${failed ? ' task-card--failed' : ''}`}
      aria-labelledby={titleId}
      aria-busy={saving || undefined}
      data-testid="task-card"
      data-task-id={task.id}
      data-status={task.status}
    >
      <div className="task-card__head">
        {readOnly ? (
          <span className={`check-button check-button--static${completed ? ' check-button--done' : ''}`} aria-hidden="true">
            {completed ? <CheckIcon /> : null}
          </span>
        ) : (
        <button
          type="button"
          className="check-button"
          aria-pressed={completed}
          aria-label={`Mark "${task.title}" complete`}
          title={completed ? 'Mark as not completed' : 'Mark complete'}
          onClick={() => void toggleComplete(task.id)}
          disabled={unsaved}
          data-testid="task-toggle"
        >
          <CheckIcon />
        </button>
        )}
        <h3 id={titleId} className="task-card__title">
          {task.title}
        </h3>
      </div>

      <p className={`task-card__description${task.description ? '' : ' task-card__description--empty'}`}>
        {task.description || 'No description provided'}
      </p>

      <div className="task-card__badges">
        <span className={`badge badge--status-${task.status}`} data-testid="task-status">
          {STATUS_LABELS[task.status]}
        </span>
        <span className={`badge badge--priority-${task.priority}`} data-testid="task-priority">
          {PRIORITY_LABELS[task.priority]} priority
        </span>
        {project ? (
          <span className="badge badge--project" data-testid="task-project">
            <span className="project-dot" style={{ background: project.color }} aria-hidden="true" />
            {project.inbox ? 'Inbox' : project.name}
          </span>
        ) : null}
        {overdue ? (
          <span className="badge badge--overdue" data-testid="task-overdue">
            Overdue
          </span>
        ) : null}
      </div>

      <div className="task-card__meta">
        {task.dueDate ? (
          <span className={`meta${overdue ? ' meta--overdue' : ''}`} data-testid="task-due">
            <CalendarIcon /> Due {formatDate(task.dueDate)}
          </span>
        ) : null}
        <span className="meta" data-testid="task-created">
          <ClockIcon /> Created {formatDate(task.createdAt)}
        </span>
        {assignee ? (
          <span className="meta" data-testid="task-assignee">
            <UserIcon /> {assignee === 'You' ? 'Assigned to you' : `Assigned to ${assignee}`}
          </span>
        ) : null}
      </div>

      {failed ? (
        <div className="task-card__failed" role="alert" data-testid="task-unsaved">
          <p>
            <strong>Not saved.</strong> {failed}
          </p>
          <div className="task-card__actions">
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => void retryCreate(task.id)}
              aria-label={`Retry saving "${task.title}"`}
              data-testid="task-retry"
            >
              Retry
            </button>
            <button
              type="button"
              className="button button--ghost button--sm button--danger-text"
              onClick={() => discardCreate(task.id)}
              aria-label={`Discard "${task.title}"`}
              data-testid="task-discard"
            >
              Discard
            </button>
          </div>
        </div>
      ) : readOnly ? null : (
      <div className="task-card__actions">
        {CARD_ACTIONS.map(({ kind, label, Icon, className }) => (
          <button
            key={kind}
            type="button"
            className={`button button--ghost button--sm${className}`}
            aria-label={`${label} "${task.title}"`}
            onClick={() => openDialog({ kind, taskId: task.id })}
            disabled={unsaved}
            data-testid={`task-${kind}`}
          >
            <Icon /> {label}
          </button>
        ))}
      </div>
      )}
    </article>
  );
}

/** Memoised: with thousands of cards loaded only the changed ones re-render. */
export const TaskCard = memo(TaskCardView);
