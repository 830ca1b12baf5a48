import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AppShell } from './components/AppShell';
import { GuestOnly, RequireAuth } from './components/RouteGuards';
import { Toasts } from './components/Toasts';
import AssignedPage from './pages/AssignedPage';
import DashboardPage from './pages/DashboardPage';
import LoginPage from './pages/LoginPage';
import ProjectPage from './pages/ProjectPage';
import { Splash } from './components/Splash';

// Off the initial route's bundle: loaded when first visited.
const RegisterPage = lazy(() => import('./pages/RegisterPage'));
const AccountPage = lazy(() => import('./pages/AccountPage'));
const InvitationPage = lazy(() => import('./pages/InvitationPage'));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<GuestOnly />}>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/register" element={<RegisterPage />} />
      </Route>
      <Route element={<RequireAuth />}>
        <Route element={<AppShell />}>
          <Route path="/dashboard" element={<DashboardPage />} />
          <Route path="/assigned" element={<AssignedPage />} />
          <Route path="/projects/:projectId" element={<ProjectPage />} />
          <Route path="/account" element={<AccountPage />} />
        </Route>
      </Route>
      {/* An invitation link: for anyone holding it, signed in or not. */}
      <Route
        path="/invitations/:token"
        element={
          <Suspense fallback={<Splash />}>
            <InvitationPage />
          </Suspense>
        }
      />
      <Route path="/" element={<Navigate to="/dashboard" replace />} />
      <Route path="*" element={<Navigate to="/dashboard" replace />} />
    </Routes>
  );
}

export default function App() {
  return (
    <BrowserRouter>
      <AppRoutes />
      <Toasts />
    </BrowserRouter>
  );
}
