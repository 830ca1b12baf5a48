import { act, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { useLive } from '../stores/live';
import { LiveIndicator } from './LiveIndicator';

describe('LiveIndicator', () => {
  beforeEach(() => useLive.setState({ status: 'off' }));

  it('says politely whether changes made elsewhere arrive, and nothing when signed out', () => {
    const { container } = render(<LiveIndicator />);
    expect(container.textContent).toBe('');
    act(() => useLive.getState().setStatus('live'));
    const status = screen.getByRole('status');
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.textContent).toBe('Live');
    act(() => useLive.getState().setStatus('reconnecting'));
    expect(status.textContent).toBe('Reconnecting…');
    act(() => useLive.getState().setStatus('offline'));
    expect(status.textContent).toBe('Offline');
  });
});
