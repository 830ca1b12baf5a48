import { Suspense, useEffect, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { logout } from '../api/auth';
import { useSession } from '../stores/session';
import { LogoMark, MenuIcon } from './Icons';
import { LiveIndicator } from './LiveIndicator';
import { ProjectSidebar } from './ProjectSidebar';
import { ThemeToggle } from './ThemeToggle';

export function AppShell() {
  const user = useSession((s) => s.user);
  const location = useLocation();
  // On narrow screens the project sidebar is a drawer, closed again by any navigation.
  const [drawer, setDrawer] = useState({ open: false, at: location.key });
  const drawerOpen = drawer.open && drawer.at === location.key;

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setDrawer((d) => ({ ...d, open: false }));
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <button
            type="button"
            className="icon-button topbar__menu"
            aria-label="Projects"
            aria-expanded={drawerOpen}
            aria-controls="sidebar"
            onClick={() => setDrawer({ open: !drawerOpen, at: location.key })}
            data-testid="sidebar-toggle"
          >
            <MenuIcon />
          </button>
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
            <LiveIndicator />
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
      <div className="shell__body">
        <ProjectSidebar open={drawerOpen} />
        {drawerOpen ? (
          <button
            type="button"
            className="sidebar-backdrop"
            aria-label="Close projects"
            tabIndex={-1}
            onClick={() => setDrawer((d) => ({ ...d, open: false }))}
          />
        ) : null}
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
    </div>
  );
}
