import type { ReactNode } from 'react';
import { LogoMark } from './Icons';
import { ThemeToggle } from './ThemeToggle';

export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-page__theme">
        <ThemeToggle />
      </div>
      <main className="auth-card" id="main">
        <div className="auth-card__brand">
          <LogoMark className="brand__mark brand__mark--lg" />
          <span className="brand__name">TaskMaster</span>
        </div>
        <h1 className="auth-card__title">{title}</h1>
        <p className="auth-card__subtitle">{subtitle}</p>
        {children}
      </main>
    </div>
  );
}
