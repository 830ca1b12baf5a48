import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Task, TaskInput } from '../api/types';
import { dateInputToIso, PRIORITY_OPTIONS, STATUS_OPTIONS } from '../lib/tasks';
import { changedFields, initialValues, type FormValues } from '../lib/taskForm';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { Field, SelectField, TextField } from './Field';
import { Modal } from './Modal';

export const TITLE_MAX = 200;

function TaskFormDialog({ task, onClose }: { task?: Task; onClose: () => void }) {
  const create = useTasks((s) => s.create);
  const update = useTasks((s) => s.update);
  const [values, setValues] = useState<FormValues>(() => initialValues(task));
  const [titleError, setTitleError] = useState<string | null>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const editing = Boolean(task);

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const title = values.title.trim();
    if (!title) {
      setTitleError('Title is required');
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
      void create(input);
    }
    // Optimistic: the list shows the change at once; a refusal rolls it back with a toast.
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
        <TextField
          ref={titleRef}
          id={`${id}-title`}
          label="Title"
          value={values.title}
          onChange={(e) => {
            set('title', e.target.value);
            if (titleError) setTitleError(null);
          }}
          maxLength={TITLE_MAX}
          required
          error={titleError}
          autoComplete="off"
        />
        <Field id={`${id}-description`} label="Description">
          <textarea
            id={`${id}-description`}
            className="input textarea"
            rows={4}
            value={values.description}
            onChange={(e) => set('description', e.target.value)}
            placeholder="Optional details"
          />
        </Field>
        <div className="form__row">
          <SelectField
            id={`${id}-status`}
            label="Status"
            value={values.status}
            onChange={(status) => set('status', status)}
            options={STATUS_OPTIONS}
          />
          <SelectField
            id={`${id}-priority`}
            label="Priority"
            value={values.priority}
            onChange={(priority) => set('priority', priority)}
            options={PRIORITY_OPTIONS}
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

/** Renders whichever task dialog the ui store says is open. */
export function TaskDialogs() {
  const dialog = useUi((s) => s.dialog);
  const close = useUi((s) => s.closeDialog);
  const task = useTasks((s) => (dialog && dialog.kind !== 'create' ? s.items.find((t) => t.id === dialog.taskId) : undefined));

  // A dialog must not outlive the page (e.g. when the session ends).
  useEffect(() => close, [close]);

  if (!dialog) return null;
  if (dialog.kind === 'create') return <TaskFormDialog onClose={close} />;
  // The task may have vanished meanwhile (deleted elsewhere, list reloaded): nothing to show.
  if (!task) return null;
  if (dialog.kind === 'edit') return <TaskFormDialog key={task.id} task={task} onClose={close} />;
  return <DeleteDialog task={task} onClose={close} />;
}
