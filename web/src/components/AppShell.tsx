import { Suspense } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { logout } from '../api/auth';
import { useSession } from '../stores/session';
import { LogoMark } from './Icons';
import { ThemeToggle } from './ThemeToggle';

export function AppShell() {
  const user = useSession((s) => s.user);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <Link to="/dashboard" className="brand" aria-label="TaskMaster home">
            <LogoMark className="brand__mark" />
            <span className="brand__name">TaskMaster</span>
          </Link>
          <nav className="topnav" aria-label="Main">
            <NavLink to="/dashboard" className="topnav__link">
              Dashboard
            </NavLink>
            <NavLink to="/account" className="topnav__link">
              Account
            </NavLink>
          </nav>
          <div className="topbar__actions">
            <ThemeToggle />
            {user ? (
              <span className="topbar__user" data-testid="current-user" title={user.email}>
                {user.name}
              </span>
            ) : null}
            <button type="button" className="button button--secondary button--sm" onClick={() => void logout()} data-testid="logout">
              Log out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Suspense
          fallback={
            <div className="page-loading" role="status">
              <span className="spinner" aria-hidden="true" /> Loading…
            </div>
          }
        >
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
