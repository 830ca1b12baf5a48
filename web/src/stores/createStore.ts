import { create, type StateCreator, type UseBoundStore, type StoreApi } from 'zustand';
import { devtools } from 'zustand/middleware';

function hasDevtoolsExtension(): boolean {
  return typeof window !== 'undefined' && '__REDUX_DEVTOOLS_EXTENSION__' in window;
}

type DevtoolsCreator<T> = StateCreator<T, [['zustand/devtools', never]], []>;

/**
 * A Zustand store, wrapped in the Redux devtools middleware in development builds only.
 * `import.meta.env.DEV` is a constant in production, so the middleware is tree-shaken away.
 */
export function createStore<T>(name: string, initializer: DevtoolsCreator<T>): UseBoundStore<StoreApi<T>> {
  if (import.meta.env.DEV && import.meta.env.MODE !== 'test' && hasDevtoolsExtension()) {
    return create<T>()(devtools(initializer, { name: `TaskMaster ${name}` }));
  }
  // Without the middleware `set` simply ignores the devtools action name.
  return create<T>()(initializer as unknown as StateCreator<T>);
}
