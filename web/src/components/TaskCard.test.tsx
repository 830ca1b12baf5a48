import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskCard } from './TaskCard';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { makeTask, resetStores } from '../test/helpers';

describe('TaskCard', () => {
  beforeEach(() => resetStores());

  it('shows the task with its badges and a placeholder for a missing description', () => {
    const task = makeTask({ title: 'Pay rent', priority: 'high', dueDate: '2030-05-01T21:59:59.999Z' });
    render(<TaskCard task={task} saving={false} overdue={false} />);
    expect(screen.getByRole('heading', { name: 'Pay rent' })).toBeTruthy();
    expect(screen.getByText('No description provided')).toBeTruthy();
    expect(screen.getByTestId('task-status').textContent).toBe('Pending');
    expect(screen.getByTestId('task-priority').textContent).toBe('High priority');
    expect(screen.getByTestId('task-due').textContent).toContain('2030');
    expect(screen.queryByTestId('task-overdue')).toBeNull();
  });

  it('flags an overdue task', () => {
    render(<TaskCard task={makeTask({ dueDate: '2020-01-01T00:00:00Z' })} saving={false} overdue />);
    expect(screen.getByTestId('task-overdue').textContent).toBe('Overdue');
  });

  it('completes with one click and opens the edit and delete dialogs', async () => {
    const user = userEvent.setup();
    const toggleComplete = vi.fn(() => Promise.resolve(true));
    useTasks.setState({ toggleComplete });
    const task = makeTask({ title: 'Walk the dog' });
    render(<TaskCard task={task} saving={false} overdue={false} />);

    const toggle = screen.getByRole('button', { name: 'Mark "Walk the dog" complete' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    await user.click(toggle);
    expect(toggleComplete).toHaveBeenCalledWith(task.id);

    await user.click(screen.getByRole('button', { name: 'Edit "Walk the dog"' }));
    expect(useUi.getState().dialog).toEqual({ kind: 'edit', taskId: task.id });
    await user.click(screen.getByRole('button', { name: 'Delete "Walk the dog"' }));
    expect(useUi.getState().dialog).toEqual({ kind: 'delete', taskId: task.id });
  });

  it('offers a retry and a discard for a task that could not be saved', async () => {
    const user = userEvent.setup();
    const retryCreate = vi.fn(() => Promise.resolve(null));
    const discardCreate = vi.fn();
    useTasks.setState({ retryCreate, discardCreate });
    const task = makeTask({ id: 'temp-9', title: 'Pay rent' });
    render(<TaskCard task={task} saving={false} overdue={false} failed="Cannot reach the server." />);
    expect(screen.getByTestId('task-unsaved').textContent).toContain('Not saved. Cannot reach the server.');
    expect(screen.queryByTestId('task-edit')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Retry saving "Pay rent"' }));
    expect(retryCreate).toHaveBeenCalledWith('temp-9');
    await user.click(screen.getByRole('button', { name: 'Discard "Pay rent"' }));
    expect(discardCreate).toHaveBeenCalledWith('temp-9');
  });

  it('disables actions while the task is still being created', () => {
    render(<TaskCard task={makeTask({ id: 'temp-1' })} saving overdue={false} />);
    for (const button of screen.getAllByRole('button')) expect((button as HTMLButtonElement).disabled).toBe(true);
  });
});
