import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { fetchSecurityLog } from '../api/security';
import type { SecurityEvent, SecurityEventPage } from '../api/types';
import { describeSecurityEvent } from '../lib/securityEvents';
import { formatDateTime } from '../lib/tasks';
import { useLoadable } from '../lib/useLoadable';
import { describeUserAgent } from '../lib/userAgent';
import { useUi } from '../stores/ui';
import { Loaded } from './Loaded';

const firstPage = (signal: AbortSignal) => fetchSecurityLog(null, signal);

function SecurityLogEntry({ event }: { event: SecurityEvent }) {
  const { summary, alert } = describeSecurityEvent(event);
  return (
    <li className={`security-event${alert ? ' security-event--alert' : ''}`} data-testid="security-event" data-kind={event.kind}>
      <div className="session__info">
        <p className="security-event__summary">{summary}</p>
        <p className="session__meta">
          <time dateTime={event.at}>{formatDateTime(event.at)}</time>
          {event.ip ? <span>{event.ip}</span> : null}
          <span>{describeUserAgent(event.userAgent)}</span>
        </p>
      </div>
    </li>
  );
}

/** The account's security log, the newest first, a page at a time. */
export function SecurityLogSection({ reloadKey }: { reloadKey: number }) {
  const toast = useUi((s) => s.toast);
  const [log, setLog, reload] = useLoadable(firstPage, reloadKey);
  const [loadingMore, setLoadingMore] = useState(false);

  const showMore = async (cursor: string) => {
    setLoadingMore(true);
    try {
      const page = await fetchSecurityLog(cursor);
      // Appended only to the page list it follows: a reload in between started a new one.
      setLog((current) =>
        current.state === 'ready' && current.value.nextCursor === cursor
          ? { state: 'ready', value: { items: [...current.value.items, ...page.items], nextCursor: page.nextCursor } }
          : current,
      );
    } catch (err) {
      toast('error', `Could not load more activity: ${errorMessage(err)}`);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section className="card" aria-labelledby="security-log-heading">
      <div className="card__header">
        <h2 id="security-log-heading" className="card__title">
          Security activity
        </h2>
        <button type="button" className="button button--ghost button--sm" onClick={reload}>
          Refresh
        </button>
      </div>
      <Loaded loadable={log} loading="Loading security activity…">
        {({ items, nextCursor }: SecurityEventPage) =>
          items.length === 0 ? (
            <p className="muted">No security activity yet.</p>
          ) : (
            <>
              <ul className="sessions security-log" data-testid="security-log">
                {items.map((event) => (
                  <SecurityLogEntry key={event.id} event={event} />
                ))}
              </ul>
              {nextCursor ? (
                <div className="form__actions form__actions--start">
                  <button
                    type="button"
                    className="button button--secondary button--sm"
                    onClick={() => void showMore(nextCursor)}
                    disabled={loadingMore}
                  >
                    {loadingMore ? 'Loading…' : 'Show more'}
                  </button>
                </div>
              ) : null}
            </>
          )
        }
      </Loaded>
    </section>
  );
}
