import { useLive, type LiveStatus } from '../stores/live';

const LABELS: Record<Exclude<LiveStatus, 'off'>, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const HINTS: Record<Exclude<LiveStatus, 'off'>, string> = {
  connecting: 'Connecting for live updates.',
  live: 'Changes made elsewhere show here as they happen.',
  reconnecting: 'The live connection dropped. Reconnecting; what changed meanwhile follows.',
  offline: 'No network. Changes made elsewhere show once you are back online.',
};

/** Whether changes made elsewhere reach this page now: a dot and a word, announced politely. */
export function LiveIndicator() {
  const status = useLive((s) => s.status);
  if (status === 'off') return null;
  return (
    <span
      className={`live live--${status}`}
      role="status"
      aria-live="polite"
      title={HINTS[status]}
      data-testid="live-status"
      data-status={status}
    >
      <span className="live__dot" aria-hidden="true" />
      <span className="live__label">{LABELS[status]}</span>
    </span>
  );
}
