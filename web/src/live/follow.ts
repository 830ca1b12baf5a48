import { useLive } from '../stores/live';
import { useSession, type SessionState } from '../stores/session';

interface Connection {
  start: () => void;
  stop: () => void;
}

/** Makes the connection of a signed-in session; loaded on demand, so sign-in pages do without it. */
export type OpenConnection = () => Promise<Connection>;

const openLive: OpenConnection = async () => {
  const { LiveConnection } = await import('./connection');
  return new LiveConnection(import.meta.env.VITE_API_URL || '/api');
};

/**
 * Keeps a live connection while someone is signed in: made on sign-in (or a restored session),
 * closed on sign-out and on a switch of account. Returns what stops following.
 */
export function followSession(open: OpenConnection = openLive): () => void {
  let current: { userId: string; connection: Promise<Connection | null> } | null = null;

  const close = () => {
    if (!current) return;
    void current.connection.then((connection) => connection?.stop());
    current = null;
    useLive.getState().setStatus('off');
  };

  const follow = (state: SessionState) => {
    const userId = state.status === 'authenticated' ? state.user?.id : undefined;
    if (userId === current?.userId) return;
    close();
    if (!userId) return;
    useLive.getState().setStatus('connecting');
    const mine = {
      userId,
      connection: open().then(
        (connection) => {
          // Signed out (or another account) while the module loaded: never connected.
          if (current !== mine) return null;
          connection.start();
          return connection;
        },
        () => {
          if (current === mine) useLive.getState().setStatus('offline');
          return null;
        },
      ),
    };
    current = mine;
  };

  follow(useSession.getState());
  const unsubscribe = useSession.subscribe(follow);
  return () => {
    unsubscribe();
    close();
  };
}
