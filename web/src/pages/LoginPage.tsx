import { useId, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { login } from '../api/auth';
import { AuthForm, AuthLayout, EmailField } from '../components/AuthLayout';
import { TextField } from '../components/Field';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useSession } from '../stores/session';

export default function LoginPage() {
  useDocumentTitle('Sign in');
  const notice = useSession((s) => s.notice);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const id = useId();
  // Where the person was going (an invitation link) survives a switch between sign-in and sign-up.
  const location = useLocation();

  return (
    <AuthLayout title="Sign in" subtitle="Welcome back. Sign in to see your tasks.">
      {notice ? (
        <div className="notice" role="status" data-testid="session-notice">
          {notice}
        </div>
      ) : null}
      <AuthForm
        validate={() => (!email.trim() || !password ? 'Please provide email and password' : null)}
        submit={() => login(email.trim(), password)}
        submitLabel="Sign in"
        busyLabel="Signing in…"
        describedByError
        fields={['email', 'password']}
      >
        {(errors) => (
          <>
            <EmailField id={`${id}-email`} value={email} onChange={setEmail} error={errors.email} />
            <TextField
              id={`${id}-password`}
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
              required
            />
          </>
        )}
      </AuthForm>
      <p className="auth-card__switch">
        New to TaskMaster? <Link to="/register" state={location.state as unknown}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}
