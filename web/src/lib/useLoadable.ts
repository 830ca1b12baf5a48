import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { errorMessage, isCancel } from '../api/errors';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; error: string };

/**
 * What `load` answers: loaded on mount, again when `reloadKey` changes or `reload` is called
 * (keeping what is shown until the answer comes), the load it replaces aborted. `load` must be
 * stable (a module function, or memoized): a new one loads again.
 */
export function useLoadable<T>(
  load: (signal: AbortSignal) => Promise<T>,
  reloadKey: unknown = null,
): [Loadable<T>, Dispatch<SetStateAction<Loadable<T>>>, () => void] {
  const [loaded, setLoaded] = useState<Loadable<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (value) => setLoaded({ state: 'ready', value }),
      (err: unknown) => {
        if (!isCancel(err)) setLoaded({ state: 'error', error: errorMessage(err) });
      },
    );
    return () => controller.abort();
  }, [load, reloadKey, attempt]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  return [loaded, setLoaded, reload];
}
