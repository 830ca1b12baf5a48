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
import { projectName } from '../lib/projects';
import { changedFields, initialValues, type FormValues } from '../lib/taskForm';
import { useProjects, writableProjects } from '../stores/projects';
import { useSession } from '../stores/session';
import { heldTask, useTasks, type Conflict } from '../stores/tasks';
import { useUi, type FieldErrors } from '../stores/ui';
import { ConfirmDialog } from './ConfirmDialog';
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

/** What changed between two versions of a task, as the edit dialog names it. */
function changesBetween(a: Task, b: Task): { label: string; value: string }[] {
  const changes = differences(a, b).map((field) => ({ label: FIELD_LABELS[field], value: shownValue(b, field) }));
  if (a.projectId !== b.projectId) {
    const project = useProjects.getState().projects.find((p) => p.id === b.projectId);
    changes.push({ label: 'Project', value: project ? projectName(project) : 'another project' });
  }
  if (a.assigneeId !== b.assigneeId) {
    const member = useProjects.getState().members[b.projectId]?.find((m) => m.userId === b.assigneeId);
    changes.push({ label: 'Assignee', value: b.assigneeId ? (member?.name ?? 'someone else') : 'Nobody' });
  }
  return changes;
}

/** The form's values with `newer`'s in every field the person left as `base` had it. */
function rebased(values: FormValues, base: Task, newer: Task): FormValues {
  const before = initialValues(base);
  const after = initialValues(newer);
  const next = { ...values };
  for (const key of Object.keys(before) as (keyof FormValues)[]) {
    if (values[key] === before[key]) Object.assign(next, { [key]: after[key] });
  }
  return next;
}

interface ChangedElsewhereProps {
  /** The newer version, or null when the task was deleted. */
  newer: Task | null;
  changes: { label: string; value: string }[];
  onTakeNewer: () => void;
}

/** Someone else changed (or deleted) the task while this person edits it: says what, keeps the draft. */
function ChangedElsewhere({ newer, changes, onTakeNewer }: ChangedElsewhereProps) {
  if (!newer) {
    return (
      <div className="notice notice--warning" role="status" data-testid="changed-elsewhere">
        <p>Deleted by someone else just now. Your changes can no longer be saved.</p>
      </div>
    );
  }
  return (
    <div className="notice notice--warning" role="status" data-testid="changed-elsewhere">
      <p>
        <strong>Changed by someone else just now.</strong> Your edits stay; if you save them, you choose where they
        differ.
      </p>
      <ul className="notice__list" data-testid="changed-elsewhere-fields">
        {changes.map(({ label, value }) => (
          <li key={label}>
            {label}: <strong>{value}</strong>
          </li>
        ))}
      </ul>
      <button type="button" className="link-button" onClick={onTakeNewer} data-testid="take-newer">
        Use the newer values in the fields you have not changed
      </button>
    </div>
  );
}

interface TaskFormDialogProps {
  /** The task being edited, as it was when the dialog opened; none for a new task. */
  task?: Task;
  /** The newest version of the task being edited; null once it is deleted. */
  latest?: Task | null;
  /** The person's input of a write the server refused, and its word on each field. */
  draft?: TaskInput | TaskPatch;
  errors?: FieldErrors;
  onClose: () => void;
}

function TaskFormDialog({ task, latest, draft, errors: serverErrors = {}, onClose }: TaskFormDialogProps) {
  const create = useTasks((s) => s.create);
  const update = useTasks((s) => s.update);
  const defaultProject = useDefaultProject();
  const [values, setValues] = useState<FormValues>(() => startingValues(task, draft, defaultProject));
  const [errors, setErrors] = useState<FieldErrors>(serverErrors);
  // The version the draft builds on: its fields are what the person saw before editing.
  const [base, setBase] = useState(task);
  const titleRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const editing = Boolean(task);
  const changes = base && latest ? changesBetween(base, latest) : [];
  // A newer revision that changes nothing shown (the answer to this person's own write) is
  // taken as it comes; one that does is named, and the draft is left alone.
  if (base && latest && latest.revision > base.revision && changes.length === 0) setBase(latest);
  const changedElsewhere = Boolean(base) && (latest === null || changes.length > 0);
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
    if (base) {
      if (latest === null) return;
      // Only what the person changed from the version they saw: never the other person's fields.
      const patch = changedFields(base, values);
      // Made on a version now outdated: the server refuses it (412) and the person chooses.
      if (Object.keys(patch).length > 0) void update(base.id, patch, changedElsewhere ? base : undefined);
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
        {changedElsewhere && latest !== undefined ? (
          <ChangedElsewhere
            newer={latest}
            changes={changes}
            onTakeNewer={() => {
              if (!base || !latest) return;
              setValues((v) => rebased(v, base, latest));
              setBase(latest);
            }}
          />
        ) : null}
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
          current={base?.projectId}
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
          <button type="submit" className="button button--primary" disabled={latest === null} data-testid="task-submit">
            {editing ? 'Save changes' : 'Create task'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteDialog({ task, onClose }: { task: Task; onClose: () => void }) {
  const remove = useTasks((s) => s.remove);
  return (
    <ConfirmDialog
      title="Delete task?"
      description={`"${task.title}" will be permanently deleted. This cannot be undone.`}
      confirmLabel="Delete"
      onConfirm={() => {
        void remove(task.id);
        onClose();
      }}
      onClose={onClose}
      testId="delete-dialog"
      confirmTestId="confirm-delete"
    />
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

interface EditDialogProps {
  latest: Task | undefined;
  draft?: TaskPatch;
  errors?: FieldErrors;
  onClose: () => void;
}

/** The edit form, on the version seen when it opened; a task gone meanwhile stays named as deleted. */
function EditDialog({ latest, draft, errors, onClose }: EditDialogProps) {
  const [opened] = useState(latest);
  // Gone before the dialog opened (deleted elsewhere, list reloaded): nothing to show.
  if (!opened) return null;
  return <TaskFormDialog task={opened} latest={latest ?? null} draft={draft} errors={errors} onClose={onClose} />;
}

/** Renders whichever task dialog the ui store says is open; a write conflict comes first. */
export function TaskDialogs() {
  const dialog = useUi((s) => s.dialog);
  const close = useUi((s) => s.closeDialog);
  const conflict = useTasks((s) => s.conflict);
  // The list's copy, or the one held when the list no longer shows it (a filter it left).
  const task = useTasks((s) =>
    dialog && dialog.kind !== 'create' ? (s.items.find((t) => t.id === dialog.taskId) ?? heldTask(dialog.taskId)) : undefined,
  );

  // A dialog must not outlive the page (e.g. when the session ends).
  useEffect(() => close, [close]);

  if (conflict) return <ConflictDialog key={`${conflict.kind}-${conflict.taskId}`} conflict={conflict} />;
  if (!dialog) return null;
  if (dialog.kind === 'create') return <TaskFormDialog draft={dialog.draft} errors={dialog.errors} onClose={close} />;
  if (dialog.kind === 'edit') {
    return <EditDialog key={dialog.taskId} latest={task} draft={dialog.draft} errors={dialog.errors} onClose={close} />;
  }
  // The task may have vanished meanwhile (deleted elsewhere, list reloaded): nothing to show.
  if (!task) return null;
  return <DeleteDialog task={task} onClose={close} />;
}
