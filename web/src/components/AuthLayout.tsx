import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, fieldErrors, problemOf } from '../api/errors';
import { TextField } from './Field';
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

interface AuthFormProps {
  /** Checks the fields before anything is sent: what is wrong, or null. */
  validate: () => string | null;
  /** Signs in or up. On success the route guard moves the person on, so the form stays busy. */
  submit: () => Promise<void>;
  submitLabel: string;
  /** The submit button's text while the request is under way. */
  busyLabel: string;
  /** Whether the form is described by its error message while one shows. */
  describedByError?: boolean;
  /** The body members the fields edit: the server's word on these shows next to them. */
  fields: readonly string[];
  /** The fields, in order, above the submit button, given the server's word on each. */
  children: (errors: Record<string, string>) => ReactNode;
}

/** The sign-in and sign-up form: its error message, its fields and a full-width submit button. */
export function AuthForm({ validate, submit, submitLabel, busyLabel, describedByError = false, fields, children }: AuthFormProps) {
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const errorId = useId();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = validate();
    setErrors({});
    if (problem) {
      setError(problem);
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await submit();
    } catch (err) {
      const blamed = fieldErrors(problemOf(err));
      const mine = Object.fromEntries(Object.entries(blamed).filter(([name]) => fields.includes(name)));
      const others = Object.entries(blamed).filter(([name]) => !fields.includes(name));
      setErrors(mine);
      setError(
        Object.keys(mine).length > 0 && others.length === 0
          ? 'Please correct the highlighted fields.'
          : errorMessage(err),
      );
      setSubmitting(false);
    }
  };

  return (
    <form
      className="form"
      onSubmit={(e) => void onSubmit(e)}
      noValidate
      aria-describedby={describedByError && error ? errorId : undefined}
    >
      {error ? (
        <div id={describedByError ? errorId : undefined} className="form-error" role="alert" data-testid="form-error">
          {error}
        </div>
      ) : null}
      {children(errors)}
      <button type="submit" className="button button--primary button--block" disabled={submitting}>
        {submitting ? busyLabel : submitLabel}
      </button>
    </form>
  );
}

interface EmailFieldProps {
  id: string;
  value: string;
  onChange: (email: string) => void;
  error?: string | undefined;
}

/** The email field of the sign-in and sign-up forms, so both offer the same autofill. */
export function EmailField({ id, value, onChange, error }: EmailFieldProps) {
  return (
    <TextField
      id={id}
      label="Email"
      type="email"
      autoComplete="email"
      inputMode="email"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      required
    />
  );
}
