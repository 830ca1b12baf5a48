import type { ReactNode } from 'react';
import type { Loadable } from '../lib/useLoadable';

interface LoadedProps<T> {
  loadable: Loadable<T>;
  /** What shows while it loads: "Loading sessions…". */
  loading: string;
  children: (value: T) => ReactNode;
}

/** A card's content once loaded; until then a loading note, or the error that stopped it. */
export function Loaded<T>({ loadable, loading, children }: LoadedProps<T>) {
  if (loadable.state === 'loading') {
    return (
      <p className="muted" role="status">
        {loading}
      </p>
    );
  }
  if (loadable.state === 'error') {
    return (
      <p className="inline-error" role="alert">
        {loadable.error}
      </p>
    );
  }
  return children(loadable.value);
}
