import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskDialogs } from './TaskDialogs';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { makeTask, resetStores } from '../test/helpers';

/** The edit dialog open on a task, with a store whose update succeeds. */
function editing() {
  const user = userEvent.setup();
  const update = vi.fn(() => Promise.resolve(true));
  const opened = makeTask({ title: 'Plan offsite', description: 'Venue' });
  useTasks.setState({ items: [opened], update });
  useUi.setState({ dialog: { kind: 'edit', taskId: opened.id } });
  render(<TaskDialogs />);
  return { user, update, opened, dialog: screen.getByRole('dialog', { name: 'Edit task' }) };
}

describe('TaskDialogs', () => {
  beforeEach(() => resetStores());

  it('shows an edit conflict: what changed elsewhere, this person’s change beside the newer version', async () => {
    const user = userEvent.setup();
    const resolveConflict = vi.fn(() => Promise.resolve(true));
    const base = makeTask({ title: 'Plan offsite', description: 'Venue' });
    const theirs = { ...base, title: 'Plan team offsite', revision: base.revision + 3 };
    useTasks.setState({
      resolveConflict,
      conflict: { kind: 'update', taskId: base.id, base, mine: { description: 'Venue and agenda', status: 'in-progress' }, theirs },
    });
    render(<TaskDialogs />);

    const dialog = screen.getByRole('dialog', { name: 'This task was changed elsewhere' });
    expect(within(dialog).getByTestId('conflict-changed-elsewhere').textContent).toBe('Title: Plan offsite → Plan team offsite');
    const description = within(dialog).getByTestId('conflict-row-description');
    expect(within(description).getByTestId('conflict-mine').textContent).toBe('Venue and agenda');
    expect(within(description).getByTestId('conflict-theirs').textContent).toBe('Venue');
    expect(within(within(dialog).getByTestId('conflict-row-status')).getByTestId('conflict-mine').textContent).toBe(
      'In progress',
    );
    expect(within(dialog).queryByTestId('conflict-row-title')).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Keep the newer version' })).toBe(document.activeElement);

    await user.click(within(dialog).getByRole('button', { name: 'Save my changes' }));
    expect(resolveConflict).toHaveBeenCalledWith('mine');
  });

  it('shows a delete conflict with the newer version, and Esc keeps the task', async () => {
    const user = userEvent.setup();
    const resolveConflict = vi.fn(() => Promise.resolve(true));
    const base = makeTask({ title: 'Renew passport' });
    const theirs = { ...base, priority: 'high' as const, revision: base.revision + 1 };
    useTasks.setState({ resolveConflict, conflict: { kind: 'delete', taskId: base.id, base, theirs } });
    render(<TaskDialogs />);

    const dialog = screen.getByRole('dialog', { name: 'This task changed before it was deleted' });
    expect(within(dialog).getByTestId('conflict-changed-elsewhere').textContent).toBe('Priority: Medium → High');
    expect(within(dialog).getByTestId('conflict-newer').textContent).toContain('Renew passport');
    expect(within(dialog).getByRole('button', { name: 'Delete anyway' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(resolveConflict).toHaveBeenCalledWith('theirs');
  });

  it('names a newer version that arrives while editing, keeps the draft, and saves it on the older ETag', async () => {
    const { user, update, opened, dialog } = editing();
    await user.clear(within(dialog).getByLabelText('Description'));
    await user.type(within(dialog).getByLabelText('Description'), 'Venue and agenda');

    // The answer to this person's own earlier write: a new revision, nothing else new.
    const own = { ...opened, revision: opened.revision + 1 };
    act(() => useTasks.setState({ items: [own] }));
    expect(within(dialog).queryByTestId('changed-elsewhere')).toBeNull();

    const theirs = { ...own, title: 'Plan team offsite', priority: 'high' as const, revision: own.revision + 1 };
    act(() => useTasks.setState({ items: [theirs] }));
    expect(within(dialog).getByTestId('changed-elsewhere').textContent).toContain('Changed by someone else just now');
    expect(within(dialog).getByTestId('changed-elsewhere-fields').textContent).toBe('Title: Plan team offsitePriority: High');
    // The draft is the person's: the form still shows what they saw and typed.
    expect(within(dialog).getByLabelText<HTMLInputElement>('Title').value).toBe('Plan offsite');
    expect(within(dialog).getByLabelText<HTMLTextAreaElement>('Description').value).toBe('Venue and agenda');

    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    // Only their own field, on the version they saw: the server answers 412 and they choose.
    expect(update).toHaveBeenCalledWith(opened.id, { description: 'Venue and agenda' }, own);
  });

  it('takes the newer values into the fields the person left alone, on request', async () => {
    const { user, update, opened, dialog } = editing();
    await user.type(within(dialog).getByLabelText('Description'), ' and agenda');
    const theirs = { ...opened, title: 'Plan team offsite', revision: opened.revision + 1 };
    act(() => useTasks.setState({ items: [theirs] }));
    await user.click(within(dialog).getByTestId('take-newer'));
    expect(within(dialog).getByLabelText<HTMLInputElement>('Title').value).toBe('Plan team offsite');
    expect(within(dialog).getByLabelText<HTMLTextAreaElement>('Description').value).toBe('Venue and agenda');
    expect(within(dialog).queryByTestId('changed-elsewhere')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(update).toHaveBeenCalledWith(opened.id, { description: 'Venue and agenda' }, undefined);
  });

  it('says so when the task being edited is deleted elsewhere, and saves nothing', () => {
    const opened = makeTask({ title: 'Plan offsite' });
    useTasks.setState({ items: [opened] });
    useUi.setState({ dialog: { kind: 'edit', taskId: opened.id } });
    render(<TaskDialogs />);
    act(() => useTasks.setState({ items: [] }));
    const dialog = screen.getByRole('dialog', { name: 'Edit task' });
    expect(within(dialog).getByTestId('changed-elsewhere').textContent).toContain('Deleted by someone else just now');
    expect(within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Save changes' }).disabled).toBe(true);
  });

  it('brings back a refused new task with the server’s message next to its field', () => {
    useUi.setState({
      dialog: {
        kind: 'create',
        draft: { title: 'Draft title', description: 'x', priority: 'high' },
        errors: { description: 'String should have at most 10000 characters', extra: 'Unknown member' },
      },
    });
    render(<TaskDialogs />);
    const dialog = screen.getByRole('dialog', { name: 'New task' });
    expect(within(dialog).getByLabelText<HTMLInputElement>('Title').value).toBe('Draft title');
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Priority').value).toBe('high');
    const description = within(dialog).getByLabelText('Description');
    expect(description.getAttribute('aria-invalid')).toBe('true');
    const describedBy = description.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('String should have at most 10000 characters');
    expect(within(dialog).getByText('extra: Unknown member')).toBeTruthy();
  });
});
