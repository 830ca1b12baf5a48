import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import { SecurityLogSection } from './SecurityLogSection';
import type { SecurityEvent } from '../api/types';
import { mockApi, resetStores, signIn } from '../test/helpers';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

function event(id: string, kind: string, detail: SecurityEvent['detail'] = {}): SecurityEvent {
  return { id, kind, detail, at: '2026-12-01T09:30:00.000Z', ip: '203.0.113.7', userAgent: FIREFOX };
}

describe('SecurityLogSection', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    signIn();
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  it('lists the log as sentences with where and how, and shows more with the cursor', async () => {
    mock.onGet(/\/auth\/security-log$/).reply((config) =>
      (config.params as { cursor?: string }).cursor === 'page-2'
        ? [200, { items: [event('e3', 'sign-in', { method: 'registration' })], nextCursor: null }]
        : [200, { items: [event('e1', 'sign-in', { method: 'password+totp' }), event('e2', 'sign-in-failed', { method: 'totp' })], nextCursor: 'page-2' }],
    );
    const user = userEvent.setup();
    render(<SecurityLogSection reloadKey={0} />);

    const entries = await screen.findAllByTestId('security-event');
    expect(entries.map((e) => e.querySelector('.security-event__summary')?.textContent)).toEqual([
      'Signed in with password and app code',
      'Failed sign-in: wrong app code',
    ]);
    expect(entries[0]?.textContent).toContain('203.0.113.7');
    expect(entries[0]?.textContent).toContain('Firefox on Windows');
    expect(entries[1]?.className).toContain('security-event--alert');

    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(await screen.findByText('Account created')).toBeTruthy();
    expect(screen.getAllByTestId('security-event')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });
});
