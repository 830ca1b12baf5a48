import { useUi, type ThemeChoice } from '../stores/ui';
import { MonitorIcon, MoonIcon, SunIcon } from './Icons';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function ThemeToggle() {
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const Icon = theme === 'dark' ? MoonIcon : theme === 'light' ? SunIcon : MonitorIcon;
  return (
    <button
      type="button"
      className="button button--ghost theme-toggle"
      onClick={() => setTheme(NEXT[theme])}
      aria-label={`Theme: ${LABEL[theme]}. Switch to ${LABEL[NEXT[theme]].toLowerCase()} theme`}
      title={`Theme: ${LABEL[theme]}`}
      data-testid="theme-toggle"
    >
      <Icon />
      <span className="theme-toggle__label">{LABEL[theme]}</span>
    </button>
  );
}
