import { LogoMark } from './Icons';

export function Splash() {
  return (
    <div className="splash" role="status" aria-live="polite" data-testid="splash">
      <LogoMark className="splash__logo" />
      <span className="spinner" aria-hidden="true" />
      <span className="splash__text">Restoring your session…</span>
    </div>
  );
}
