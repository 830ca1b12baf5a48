import { Navigate, Outlet, useLocation, type Location } from 'react-router';
import { useSession } from '../stores/session';
import { Splash } from './Splash';

interface FromState {
  from?: Location;
}

/** Pages for signed-in people; anyone else goes to /login and comes back after signing in. */
export function RequireAuth() {
  const status = useSession((s) => s.status);
  const location = useLocation();
  if (status === 'restoring') return <Splash />;
  if (status !== 'authenticated') return <Navigate to="/login" replace state={{ from: location } satisfies FromState} />;
  return <Outlet />;
}

/** Sign-in and sign-up; a signed-in person is sent on to where they were going. */
export function GuestOnly() {
  const status = useSession((s) => s.status);
  const location = useLocation();
  if (status === 'restoring') return <Splash />;
  if (status === 'authenticated') {
    const from = (location.state as FromState | null)?.from;
    const target = from && from.pathname !== '/login' && from.pathname !== '/register' ? from : '/dashboard';
    return <Navigate to={target} replace />;
  }
  return <Outlet />;
}
