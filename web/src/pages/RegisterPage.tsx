import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { register } from '../api/auth';
import { errorMessage } from '../api/errors';
import { AuthLayout } from '../components/AuthLayout';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { PASSWORD_MIN } from '../lib/validation';

export default function RegisterPage() {
  useDocumentTitle('Create account');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const id = useId();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !email.trim() || !password) {
      setError('Please provide email, password, and name');
      return;
    }
    if (password.length < PASSWORD_MIN) {
      setError(`Password must be at least ${PASSWORD_MIN} characters long`);
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await register(name.trim(), email.trim(), password);
    } catch (err) {
      setError(errorMessage(err));
      setSubmitting(false);
    }
  };

  return (
    <AuthLayout title="Create your account" subtitle="Start organising your work in a minute.">
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        {error ? (
          <div className="form-error" role="alert" data-testid="form-error">
            {error}
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-name`} className="field__label">
            Name
          </label>
          <input
            id={`${id}-name`}
            className="input"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
        </div>
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
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={`${id}-password-hint`}
            minLength={PASSWORD_MIN}
            required
          />
          <p id={`${id}-password-hint`} className="field__hint">
            At least {PASSWORD_MIN} characters.
          </p>
        </div>
        <button type="submit" className="button button--primary button--block" disabled={submitting}>
          {submitting ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-card__switch">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </AuthLayout>
  );
}
