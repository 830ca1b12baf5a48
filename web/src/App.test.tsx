import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { AppRoutes } from './App';
import { SESSION_ENDED_MESSAGE, useSession } from './stores/session';
import { makeTask, mockApi, resetStores, signIn } from './test/helpers';

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AppRoutes />
    </MemoryRouter>,
  );
}

describe('routing', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('shows a splash while the session is being restored', () => {
    renderAt('/dashboard');
    expect(screen.getByTestId('splash')).toBeTruthy();
  });

  it('sends a signed-out visitor to the sign-in page with the reason', async () => {
    useSession.getState().clearSession(SESSION_ENDED_MESSAGE);
    renderAt('/');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByTestId('session-notice').textContent).toBe(SESSION_ENDED_MESSAGE);
  });

  it('shows the dashboard with counts and tasks to a signed-in person', async () => {
    signIn();
    mock.onGet(/\/tasks\/summary$/).reply(200, { total: 1, pending: 1, inProgress: 0, completed: 0, overdue: 0 });
    mock.onGet(/\/tasks$/).reply(200, { items: [makeTask({ title: 'Ship it' })], nextCursor: null });
    renderAt('/login');
    expect(await screen.findByRole('heading', { name: 'Ship it' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Your tasks' })).toBeTruthy();
    expect(screen.getByTestId('stat-total').textContent).toContain('1');
    expect(screen.getByTestId('task-count').textContent).toBe('Showing 1 of 1 task');
  });

  it('shows an empty state when there are no tasks', async () => {
    signIn();
    mock.onGet(/\/tasks\/summary$/).reply(200, { total: 0, pending: 0, inProgress: 0, completed: 0, overdue: 0 });
    mock.onGet(/\/tasks$/).reply(200, { items: [], nextCursor: null });
    renderAt('/dashboard');
    expect(await screen.findByText('No tasks yet')).toBeTruthy();
  });
});
