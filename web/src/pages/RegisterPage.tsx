import { useId, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { register } from '../api/auth';
import { AuthForm, AuthLayout, EmailField } from '../components/AuthLayout';
import { TextField } from '../components/Field';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { PASSWORD_MIN } from '../lib/validation';

export default function RegisterPage() {
  useDocumentTitle('Create account');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const id = useId();
  // Where the person was going (an invitation link) survives a switch between sign-in and sign-up.
  const location = useLocation();

  const validate = () => {
    if (!name.trim() || !email.trim() || !password) return 'Please provide email, password, and name';
    if (password.length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters long`;
    return null;
  };

  return (
    <AuthLayout title="Create your account" subtitle="Start organising your work in a minute.">
      <AuthForm
        validate={validate}
        submit={() => register(name.trim(), email.trim(), password)}
        submitLabel="Create account"
        busyLabel="Creating account…"
        fields={['name', 'email', 'password']}
      >
        {(errors) => (
          <>
            <TextField
              id={`${id}-name`}
              label="Name"
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={errors.name}
              required
            />
            <EmailField id={`${id}-email`} value={email} onChange={setEmail} error={errors.email} />
            <TextField
              id={`${id}-password`}
              label="Password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              hint={<>At least {PASSWORD_MIN} characters.</>}
              minLength={PASSWORD_MIN}
              error={errors.password}
              required
            />
          </>
        )}
      </AuthForm>
      <p className="auth-card__switch">
        Already have an account? <Link to="/login" state={location.state as unknown}>Sign in</Link>
      </p>
    </AuthLayout>
  );
}
