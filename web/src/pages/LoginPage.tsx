import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { login } from '../api/auth';
import { errorMessage } from '../api/errors';
import { AuthLayout } from '../components/AuthLayout';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useSession } from '../stores/session';

export default function LoginPage() {
  useDocumentTitle('Sign in');
  const notice = useSession((s) => s.notice);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const id = useId();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Please provide email and password');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await login(email.trim(), password);
      // The route guard moves a signed-in person on; nothing else to do here.
    } catch (err) {
      setError(errorMessage(err));
      setSubmitting(false);
    }
  };

  return (
    <AuthLayout title="Sign in" subtitle="Welcome back. Sign in to see your tasks.">
      {notice ? (
        <div className="notice" role="status" data-testid="session-notice">
          {notice}
        </div>
      ) : null}
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-describedby={error ? `${id}-error` : undefined}>
        {error ? (
          <div id={`${id}-error`} className="form-error" role="alert" data-testid="form-error">
            {error}
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-email`} className="field__label">
            Email
          </label>
          <input
            id={`${id}-email`}
            className="input"
            type="email"
            autoComplete="email"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`} className="field__label">
            Password
          </label>
          <input
            id={`${id}-password`}
            className="input"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <button type="submit" className="button button--primary button--block" disabled={submitting}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-card__switch">
        New to TaskMaster? <Link to="/register">Create an account</Link>
      </p>
    </AuthLayout>
  );
}
