import { useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { Project } from '../api/types';
import { colorChoices, PROJECT_COLORS, projectName } from '../lib/projects';
import { useProjects } from '../stores/projects';
import { useUi } from '../stores/ui';
import { TextField } from './Field';
import { Modal } from './Modal';

export const PROJECT_NAME_MAX = 100;

/** The colour swatches: a radio group, so arrows move between them and Tab passes it as one. */
function ColorPicker({ value, onChange }: { value: string; onChange: (color: string) => void }) {
  const name = useId();
  return (
    <fieldset className="color-picker">
      <legend className="field__label">Colour</legend>
      <div className="color-picker__swatches">
        {colorChoices(value).map((color) => (
          <label key={color.value} className="color-swatch" title={color.label}>
            <input
              type="radio"
              name={name}
              value={color.value}
              checked={color.value.toLowerCase() === value.toLowerCase()}
              onChange={() => onChange(color.value)}
              aria-label={color.label}
            />
            <span className="color-swatch__dot" style={{ background: color.value }} aria-hidden="true" />
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A project's name and colour, being made or changed: the fields, and the name once valid. */
function useProjectFields(initial: { name: string; color: string }) {
  const [name, setName] = useState(initial.name);
  const [color, setColor] = useState(initial.color);
  const [error, setError] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const id = useId();

  /** The trimmed name; null, with the message shown and the field focused, when it is empty. */
  const checkedName = (): string | null => {
    const trimmed = name.trim();
    if (!trimmed) {
      setError('A project needs a name');
      nameRef.current?.focus();
      return null;
    }
    return trimmed;
  };

  const fields = (
    <>
      <TextField
        ref={nameRef}
        id={`${id}-name`}
        label="Name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setError(null);
        }}
        maxLength={PROJECT_NAME_MAX}
        required
        error={error}
        autoComplete="off"
      />
      <ColorPicker value={color} onChange={setColor} />
    </>
  );
  return { color, nameRef, checkedName, fields };
}

/** Creates a project with a name and a colour, then opens it. */
export function NewProjectDialog({ onClose }: { onClose: () => void }) {
  const create = useProjects((s) => s.create);
  const navigate = useNavigate();
  const { color, nameRef, checkedName, fields } = useProjectFields({
    name: '',
    color: PROJECT_COLORS[0]?.value ?? '#4f46e5',
  });
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = checkedName();
    if (trimmed === null) return;
    setBusy(true);
    const project = await create({ name: trimmed, color });
    setBusy(false);
    if (!project) return;
    onClose();
    void navigate(`/projects/${project.id}`);
  };

  return (
    <Modal title="New project" onClose={onClose} initialFocus={nameRef} testId="project-dialog" size="sm">
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        {fields}
        <div className="form__actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy} data-testid="project-submit">
            Create project
          </button>
        </div>
      </form>
    </Modal>
  );
}

/**
 * A project's settings, for its owners: rename and recolour; archive or bring back; delete,
 * after saying what goes with it.
 */
export function ProjectSettingsDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const update = useProjects((s) => s.update);
  const remove = useProjects((s) => s.remove);
  const toast = useUi((s) => s.toast);
  const navigate = useNavigate();
  const { color, nameRef, checkedName, fields } = useProjectFields(project);
  const [confirming, setConfirming] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const shown = projectName(project);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = checkedName();
    if (trimmed === null) return;
    const patch = {
      ...(trimmed !== project.name ? { name: trimmed } : {}),
      ...(color !== project.color ? { color } : {}),
    };
    // Optimistic: the sidebar shows it at once; a refusal rolls it back with a toast.
    if (Object.keys(patch).length > 0) void update(project.id, patch);
    onClose();
  };

  const toggleArchived = () => {
    void update(project.id, { archived: !project.archived }).then((done) => {
      if (done) toast('success', project.archived ? `"${shown}" is back.` : `"${shown}" is archived.`);
    });
    onClose();
  };

  const onDelete = () => {
    onClose();
    void navigate('/dashboard');
    void remove(project.id).then((done) => {
      if (done) toast('success', `"${shown}" and its tasks were deleted.`);
    });
  };

  if (confirming) {
    return (
      <Modal
        title="Delete project?"
        description={`"${shown}" and all its tasks will be permanently deleted, for every member. This cannot be undone.`}
        onClose={onClose}
        initialFocus={cancelRef}
        testId="delete-project-dialog"
        size="sm"
      >
        <div className="form__actions">
          <button ref={cancelRef} type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button--danger" onClick={onDelete} data-testid="confirm-delete-project">
            Delete project
          </button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title="Project settings" onClose={onClose} initialFocus={nameRef} testId="project-settings" size="sm">
      <form className="form" onSubmit={onSubmit} noValidate>
        {fields}
        <div className="form__actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" data-testid="project-save">
            Save changes
          </button>
        </div>
      </form>
      {project.inbox ? null : (
        <div className="project-settings__more">
          <button type="button" className="button button--secondary" onClick={toggleArchived} data-testid="project-archive">
            {project.archived ? 'Bring back from archive' : 'Archive project'}
          </button>
          <button
            type="button"
            className="button button--ghost button--danger-text"
            onClick={() => setConfirming(true)}
            data-testid="project-delete"
          >
            Delete project…
          </button>
        </div>
      )}
    </Modal>
  );
}
