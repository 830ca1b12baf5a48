import type { TaskInput, TaskPatch } from '../api/types';
import { createStore } from './createStore';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type ToastKind = 'error' | 'success' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

/** The server's word on fields of a refused write, by member name (`title`, `dueDate`). */
export type FieldErrors = Record<string, string>;

/**
 * The task dialog that is open. A create or edit the server refused for its fields comes back
 * with the person's input (`draft`) and the server's messages next to the fields (`errors`).
 */
export type TaskDialog =
  | { kind: 'create'; draft?: TaskInput; errors?: FieldErrors }
  | { kind: 'edit'; taskId: string; draft?: TaskPatch; errors?: FieldErrors }
  | { kind: 'delete'; taskId: string };

export interface UiState {
  theme: ThemeChoice;
  toasts: Toast[];
  dialog: TaskDialog | null;
  setTheme: (theme: ThemeChoice) => void;
  toast: (kind: ToastKind, message: string) => number;
  dismissToast: (id: number) => void;
  openDialog: (dialog: TaskDialog) => void;
  closeDialog: () => void;
}

/** Only the theme choice is persisted; nothing about the session ever is. */
export const THEME_STORAGE_KEY = 'taskmaster.theme';
const TOAST_MS = 6000;
const MAX_TOASTS = 4;

function readTheme(): ThemeChoice {
  try {
    const stored = globalThis.localStorage?.getItem(THEME_STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

/** Reflects the choice on <html> (CSS reads `data-theme`; "system" follows prefers-color-scheme). */
export function applyTheme(theme: ThemeChoice): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

let nextToastId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const useUi = createStore<UiState>('ui', (set, get) => ({
  theme: readTheme(),
  toasts: [],
  dialog: null,
  setTheme: (theme) => {
    try {
      if (theme === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, theme);
    } catch {
      // Storage may be unavailable (private mode); the choice still applies to this visit.
    }
    applyTheme(theme);
    set({ theme }, false, 'ui/theme');
  },
  toast: (kind, message) => {
    const id = nextToastId++;
    set((s) => ({ toasts: [...s.toasts, { id, kind, message }].slice(-MAX_TOASTS) }), false, 'ui/toast');
    timers.set(
      id,
      setTimeout(() => get().dismissToast(id), kind === 'error' ? TOAST_MS * 1.5 : TOAST_MS),
    );
    return id;
  },
  dismissToast: (id) => {
    const timer = timers.get(id);
    if (timer) clearTimeout(timer);
    timers.delete(id);
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }), false, 'ui/dismissToast');
  },
  openDialog: (dialog) => set({ dialog }, false, 'ui/openDialog'),
  closeDialog: () => set({ dialog: null }, false, 'ui/closeDialog'),
}));
