import { useId, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { finishLogin, isExpiredSignIn, login, type SecondStep } from '../api/auth';
import { errorMessage } from '../api/errors';
import { AuthForm, AuthLayout, EmailField } from '../components/AuthLayout';
import { TextField } from '../components/Field';
import { PasskeySignIn } from '../components/PasskeySignIn';
import { ProofField } from '../components/ProofField';
import { CODE_DIGITS, factorBody, factorMethods, proofProblem, type FactorMethod } from '../lib/proofs';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useSession } from '../stores/session';

const ASK: Record<FactorMethod, string> = {
  code: `Enter the ${CODE_DIGITS}-digit code from your authenticator app.`,
  recoveryCode: 'Enter one of the recovery codes you saved when you turned on two-step sign-in.',
};

interface SecondStepFormProps {
  step: SecondStep;
  /** The sign-in is over (expired, or finished elsewhere): back to the password, saying why. */
  onExpired: (message: string) => void;
  onBack: () => void;
}

/** The second step of a sign-in with two-step sign-in on: an app code, or a recovery code. */
function SecondStepForm({ step, onExpired, onBack }: SecondStepFormProps) {
  const methods = factorMethods(step.methods);
  const [method, setMethod] = useState<FactorMethod>(methods[0] ?? 'code');
  const [value, setValue] = useState('');
  const id = useId();

  const submit = async () => {
    try {
      await finishLogin(step.challenge, factorBody(method, value));
    } catch (err) {
      if (!isExpiredSignIn(err)) throw err;
      onExpired(errorMessage(err));
    }
  };

  return (
    <AuthLayout title="Sign in" subtitle={ASK[method]}>
      <AuthForm
        validate={() => proofProblem(method, value)}
        submit={submit}
        submitLabel="Verify"
        busyLabel="Verifying…"
        describedByError
        fields={[method]}
      >
        {(errors) => (
          <ProofField
            id={id}
            methods={methods}
            method={method}
            onMethodChange={(next) => {
              setMethod(next);
              setValue('');
            }}
            value={value}
            onChange={setValue}
            error={errors[method]}
            autoFocus
          />
        )}
      </AuthForm>
      <p className="auth-card__switch">
        <button type="button" className="link-button" onClick={onBack}>
          Back to email and password
        </button>
      </p>
    </AuthLayout>
  );
}

export default function LoginPage() {
  useDocumentTitle('Sign in');
  const notice = useSession((s) => s.notice);
  const setNotice = useSession((s) => s.setNotice);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [secondStep, setSecondStep] = useState<SecondStep | null>(null);
  // Back from the second step, the password (forgotten by then) is what to type next.
  const [returned, setReturned] = useState(false);
  const id = useId();
  // Where the person was going (an invitation link) survives a switch between sign-in and sign-up.
  const location = useLocation();

  const signIn = async () => {
    const result = await login(email.trim(), password);
    if (result.status === 'second-step') {
      setPassword('');
      setNotice(null);
      setSecondStep(result.step);
    }
  };

  const backToPassword = (message: string | null) => {
    setSecondStep(null);
    setReturned(true);
    setNotice(message);
  };

  if (secondStep) {
    return (
      <SecondStepForm
        key={secondStep.challenge}
        step={secondStep}
        onExpired={backToPassword}
        onBack={() => backToPassword(null)}
      />
    );
  }

  return (
    <AuthLayout title="Sign in" subtitle="Welcome back. Sign in to see your tasks.">
      {notice ? (
        <div className="notice" role="status" data-testid="session-notice">
          {notice}
        </div>
      ) : null}
      <AuthForm
        validate={() => (!email.trim() || !password ? 'Please provide email and password' : null)}
        submit={signIn}
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
              autoFocus={returned}
              required
            />
          </>
        )}
      </AuthForm>
      <PasskeySignIn />
      <p className="auth-card__switch">
        New to TaskMaster? <Link to="/register" state={location.state as unknown}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}
