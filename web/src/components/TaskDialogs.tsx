import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Task, TaskInput, TaskPatch } from '../api/types';
import {
  applyPatch,
  dateInputToIso,
  formatDate,
  isoToDateInput,
  PRIORITY_LABELS,
  PRIORITY_OPTIONS,
  STATUS_LABELS,
  STATUS_OPTIONS,
} from '../lib/tasks';
import { changedFields, initialValues, type FormValues } from '../lib/taskForm';
import { useProjects, writableProjects } from '../stores/projects';
import { useSession } from '../stores/session';
import { useTasks, type Conflict } from '../stores/tasks';
import { useUi, type FieldErrors } from '../stores/ui';
import { Field, SelectField, TextField } from './Field';
import { Modal } from './Modal';

export const TITLE_MAX = 200;

const FORM_FIELDS = ['title', 'description', 'status', 'priority', 'dueDate'] as const;
/** The members the form has a field for: the server's word on these shows next to them. */
const FIELDS_SHOWN: readonly string[] = [...FORM_FIELDS, 'projectId', 'assigneeId'];

/** What the form shows first: the task (or a new one in `projectId`), with a refused draft on top. */
function startingValues(task: Task | undefined, draft: TaskInput | TaskPatch | undefined, projectId: string): FormValues {
  // With a task the draft is an edit's: a merge patch.
  if (task) return initialValues(draft ? applyPatch(task, draft) : task);
  const values = initialValues(undefined, projectId);
  if (!draft) return values;
  return {
    title: draft.title ?? values.title,
    description: draft.description ?? values.description,
    status: draft.status ?? values.status,
    priority: draft.priority ?? values.priority,
    dueDate: isoToDateInput(draft.dueDate ?? null),
    projectId: draft.projectId ?? values.projectId,
    assigneeId: draft.assigneeId ?? '',
  };
}

/** Where a new task goes: the project on screen when this person may write there, else the Inbox. */
function useDefaultProject(): string {
  const me = useSession((s) => s.user?.id ?? '');
  const viewed = useTasks((s) => s.query.projectId);
  const writable = useProjects((s) => writableProjects(s.projects).some((p) => p.id === viewed));
  return viewed && writable ? viewed : me;
}

interface ProjectFieldsProps {
  id: string;
  values: FormValues;
  /** The task's own project, offered even when archived. */
  current?: string;
  errors: FieldErrors;
  onProject: (projectId: string, assigneeId: string) => void;
  onAssignee: (assigneeId: string) => void;
}

/** The project the task goes in (one this person may write) and whom it is assigned to (a member of it). */
function ProjectFields({ id, values, current, errors, onProject, onAssignee }: ProjectFieldsProps) {
  const projects = useProjects((s) => s.projects);
  const members = useProjects((s) => s.members[values.projectId]);
  const loadMembers = useProjects((s) => s.loadMembers);
  const choices = writableProjects(projects, current);
  const assigned = values.assigneeId;

  useEffect(() => {
    if (values.projectId) void loadMembers(values.projectId);
  }, [values.projectId, loadMembers]);

  const pickProject = (projectId: string) => {
    // An assignee must be a member of the task's project: keep them only where they are one.
    const there = useProjects.getState().members[projectId];
    onProject(projectId, there?.some((m) => m.userId === assigned) ? assigned : '');
  };

  return (
    <div className="form__row">
      {choices.length > 0 ? (
        <SelectField
          id={`${id}-project`}
          label="Project"
          value={values.projectId}
          onChange={pickProject}
          options={choices.map((p) => ({ value: p.id, label: p.inbox ? 'Inbox' : p.name }))}
          error={errors.projectId}
          testId="task-project"
        />
      ) : null}
      <SelectField
        id={`${id}-assignee`}
        label="Assignee"
        value={assigned}
        onChange={onAssignee}
        options={[
          ...(members ?? []).map((m) => ({ value: m.userId, label: m.name })),
          ...(assigned && !members?.some((m) => m.userId === assigned) ? [{ value: assigned, label: 'Current assignee' }] : []),
        ]}
        emptyOption="Nobody"
        error={errors.assigneeId}
        testId="task-assignee"
      />
    </div>
  );
}

interface TaskFormDialogProps {
  task?: Task;
  /** The person's input of a write the server refused, and its word on each field. */
  draft?: TaskInput | TaskPatch;
  errors?: FieldErrors;
  onClose: () => void;
}

function TaskFormDialog({ task, draft, errors: serverErrors = {}, onClose }: TaskFormDialogProps) {
  const create = useTasks((s) => s.create);
  const update = useTasks((s) => s.update);
  const defaultProject = useDefaultProject();
  const [values, setValues] = useState<FormValues>(() => startingValues(task, draft, defaultProject));
  const [errors, setErrors] = useState<FieldErrors>(serverErrors);
  const titleRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const editing = Boolean(task);
  // Messages about members the form has no field for still need saying.
  const otherErrors = Object.entries(errors).filter(([name]) => !FIELDS_SHOWN.includes(name));

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: '' }));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const title = values.title.trim();
    if (!title) {
      setErrors((e) => ({ ...e, title: 'Title is required' }));
      titleRef.current?.focus();
      return;
    }
    if (task) {
      const patch = changedFields(task, values);
      if (Object.keys(patch).length > 0) void update(task.id, patch);
    } else {
      const input: TaskInput = {
        title,
        description: values.description,
        status: values.status,
        priority: values.priority,
      };
      const due = values.dueDate ? dateInputToIso(values.dueDate) : null;
      if (due) input.dueDate = due;
      if (values.projectId) input.projectId = values.projectId;
      if (values.assigneeId) input.assigneeId = values.assigneeId;
      void create(input);
    }
    // Optimistic: the list shows the change at once; a refusal rolls it back with a toast (and
    // brings this dialog back when the server blamed a field).
    onClose();
  };

  return (
    <Modal
      title={editing ? 'Edit task' : 'New task'}
      onClose={onClose}
      initialFocus={titleRef}
      testId="task-dialog"
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        {otherErrors.length > 0 ? (
          <div className="form-error" role="alert">
            {otherErrors.map(([name, message]) => (
              <p key={name}>
                {name}: {message}
              </p>
            ))}
          </div>
        ) : null}
        <TextField
          ref={titleRef}
          id={`${id}-title`}
          label="Title"
          value={values.title}
          onChange={(e) => set('title', e.target.value)}
          maxLength={TITLE_MAX}
          required
          error={errors.title}
          autoComplete="off"
        />
        <Field id={`${id}-description`} label="Description" error={errors.description}>
          <textarea
            id={`${id}-description`}
            className="input textarea"
            rows={4}
            value={values.description}
            onChange={(e) => set('description', e.target.value)}
            placeholder="Optional details"
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? `${id}-description-error` : undefined}
          />
        </Field>
        <div className="form__row">
          <SelectField
            id={`${id}-status`}
            label="Status"
            value={values.status}
            onChange={(status) => set('status', status)}
            options={STATUS_OPTIONS}
            error={errors.status}
          />
          <SelectField
            id={`${id}-priority`}
            label="Priority"
            value={values.priority}
            onChange={(priority) => set('priority', priority)}
            options={PRIORITY_OPTIONS}
            error={errors.priority}
          />
        </div>
        <TextField
          id={`${id}-due`}
          label={
            <>
              Due date <span className="field__optional">(optional)</span>
            </>
          }
          type="date"
          value={values.dueDate}
          onChange={(e) => set('dueDate', e.target.value)}
          error={errors.dueDate}
        />
        <ProjectFields
          id={id}
          values={values}
          current={task?.projectId}
          errors={errors}
          onProject={(projectId, assigneeId) => {
            setValues((v) => ({ ...v, projectId, assigneeId }));
            setErrors((e) => ({ ...e, projectId: '', assigneeId: '' }));
          }}
          onAssignee={(assigneeId) => set('assigneeId', assigneeId)}
        />
        <div className="form__actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" data-testid="task-submit">
            {editing ? 'Save changes' : 'Create task'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteDialog({ task, onClose }: { task: Task; onClose: () => void }) {
  const remove = useTasks((s) => s.remove);
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Modal
      title="Delete task?"
      description={`"${task.title}" will be permanently deleted. This cannot be undone.`}
      onClose={onClose}
      initialFocus={cancelRef}
      testId="delete-dialog"
      size="sm"
    >
      <div className="form__actions">
        <button ref={cancelRef} type="button" className="button button--secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            void remove(task.id);
            onClose();
          }}
          data-testid="confirm-delete"
        >
          Delete
        </button>
      </div>
    </Modal>
  );
}

type EditableField = (typeof FORM_FIELDS)[number];

const FIELD_LABELS: Record<EditableField, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  dueDate: 'Due date',
};

/** A field's value as the dialog shows it. */
function shownValue(task: Task, field: EditableField): string {
  switch (field) {
    case 'status':
      return STATUS_LABELS[task.status];
    case 'priority':
      return PRIORITY_LABELS[task.priority];
    case 'dueDate':
      return task.dueDate ? formatDate(task.dueDate) : 'No due date';
    case 'description':
      return task.description || '(none)';
    default:
      return task.title;
  }
}

/** The fields whose shown value differs between two versions of a task. */
function differences(a: Task, b: Task): EditableField[] {
  return FORM_FIELDS.filter((field) => shownValue(a, field) !== shownValue(b, field));
}

/**
 * A write was refused because the task changed elsewhere (412): shows what changed there and,
 * for an edit, this person's change beside the newer version, and lets them choose.
 */
function ConflictDialog({ conflict }: { conflict: Conflict }) {
  const resolve = useTasks((s) => s.resolveConflict);
  const keepTheirsRef = useRef<HTMLButtonElement>(null);
  const { base, theirs } = conflict;
  const changedThere = differences(base, theirs);
  const takeTheirs = () => void resolve('theirs');
  const editing = conflict.kind === 'update';
  const mineFields = editing ? FORM_FIELDS.filter((field) => conflict.mine[field] !== undefined) : [];
  const mine = editing ? applyPatch(theirs, conflict.mine) : theirs;

  return (
    <Modal
      title={editing ? 'This task was changed elsewhere' : 'This task changed before it was deleted'}
      description={
        editing
          ? `Someone saved a newer version of "${theirs.title}" while you were editing it. Your changes are not saved yet.`
          : `"${theirs.title}" was changed elsewhere after you opened it, so it was not deleted.`
      }
      onClose={takeTheirs}
      initialFocus={keepTheirsRef}
      testId="conflict-dialog"
    >
      {changedThere.length > 0 ? (
        <section className="conflict__section" aria-label="Changed elsewhere">
          <h3 className="conflict__heading">Changed elsewhere</h3>
          <ul className="conflict__changes" data-testid="conflict-changed-elsewhere">
            {changedThere.map((field) => (
              <li key={field}>
                <span className="conflict__field">{FIELD_LABELS[field]}:</span> <s>{shownValue(base, field)}</s> →{' '}
                <strong>{shownValue(theirs, field)}</strong>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {editing ? (
        <table className="conflict__table" data-testid="conflict-table">
          <caption className="sr-only">Your changes beside the newer version</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Your change</th>
              <th scope="col">Newer version</th>
            </tr>
          </thead>
          <tbody>
            {mineFields.map((field) => (
              <tr key={field} data-testid={`conflict-row-${field}`}>
                <th scope="row">{FIELD_LABELS[field]}</th>
                <td data-testid="conflict-mine">{shownValue(mine, field)}</td>
                <td data-testid="conflict-theirs">{shownValue(theirs, field)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <dl className="details conflict__details" data-testid="conflict-newer">
          {FORM_FIELDS.map((field) => (
            <div key={field}>
              <dt>{FIELD_LABELS[field]}</dt>
              <dd>{shownValue(theirs, field)}</dd>
            </div>
          ))}
        </dl>
      )}
      {editing ? (
        <p className="muted conflict__note">
          Saving yours writes only the fields you edited over the newer version; the rest of it stays.
        </p>
      ) : null}
      <div className="form__actions">
        <button ref={keepTheirsRef} type="button" className="button button--secondary" onClick={takeTheirs} data-testid="conflict-take-theirs">
          {editing ? 'Keep the newer version' : 'Keep the task'}
        </button>
        <button
          type="button"
          className={`button ${editing ? 'button--primary' : 'button--danger'}`}
          onClick={() => void resolve('mine')}
          data-testid="conflict-keep-mine"
        >
          {editing ? 'Save my changes' : 'Delete anyway'}
        </button>
      </div>
    </Modal>
  );
}

/** Renders whichever task dialog the ui store says is open; a write conflict comes first. */
export function TaskDialogs() {
  const dialog = useUi((s) => s.dialog);
  const close = useUi((s) => s.closeDialog);
  const conflict = useTasks((s) => s.conflict);
  const task = useTasks((s) => (dialog && dialog.kind !== 'create' ? s.items.find((t) => t.id === dialog.taskId) : undefined));

  // A dialog must not outlive the page (e.g. when the session ends).
  useEffect(() => close, [close]);

  if (conflict) return <ConflictDialog key={`${conflict.kind}-${conflict.taskId}`} conflict={conflict} />;
  if (!dialog) return null;
  if (dialog.kind === 'create') return <TaskFormDialog draft={dialog.draft} errors={dialog.errors} onClose={close} />;
  // The task may have vanished meanwhile (deleted elsewhere, list reloaded): nothing to show.
  if (!task) return null;
  if (dialog.kind === 'edit') {
    return <TaskFormDialog key={task.id} task={task} draft={dialog.draft} errors={dialog.errors} onClose={close} />;
  }
  return <DeleteDialog task={task} onClose={close} />;
}
