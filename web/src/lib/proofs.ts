import type { SecondStepMethod } from '../api/auth';
import type { Proof, SecondFactor } from '../api/types';

/**
 * The ways to prove who you are, each named after the body member that carries it
 * (`{ password }`, `{ code }`, `{ recoveryCode }`), so the API's field errors land on its field.
 */
export type ProofMethod = 'password' | 'code' | 'recoveryCode';
/** The second factors: the authenticator app's code, or a recovery code. */
export type FactorMethod = Exclude<ProofMethod, 'password'>;

export const CODE_DIGITS = 6;

interface ProofWording {
  label: string;
  /** The button that switches to this method from another. */
  switchTo: string;
  /** What to enter, for a person who left the field empty or mistyped. */
  missing: string;
}

export const PROOF_WORDING: Record<ProofMethod, ProofWording> = {
  password: {
    label: 'Password',
    switchTo: 'Use your password instead',
    missing: 'Enter your password',
  },
  code: {
    label: 'Authentication code',
    switchTo: 'Use your authenticator app instead',
    missing: `Enter the ${CODE_DIGITS}-digit code from your authenticator app`,
  },
  recoveryCode: {
    label: 'Recovery code',
    switchTo: 'Use a recovery code instead',
    missing: 'Enter one of your recovery codes',
  },
};

/** An app's code as typed or pasted ("123 456"), as the API takes it ("123456"). */
export function appCode(value: string): string {
  return value.replace(/\s+/g, '');
}

/** What is wrong with `value` as a `method` before anything is sent; null when it may be right. */
export function proofProblem(method: ProofMethod, value: string): string | null {
  const ok =
    method === 'code'
      ? new RegExp(`^\\d{${CODE_DIGITS}}$`).test(appCode(value))
      : method === 'recoveryCode'
        ? value.trim() !== ''
        : value !== '';
  return ok ? null : PROOF_WORDING[method].missing;
}

export function factorBody(method: FactorMethod, value: string): SecondFactor {
  return method === 'code' ? { code: appCode(value) } : { recoveryCode: value.trim() };
}

/** The body of POST /auth/reauthenticate: a password is sent as typed. */
export function proofBody(method: ProofMethod, value: string): Proof {
  return method === 'password' ? { password: value } : factorBody(method, value);
}

/** The factors a sign-in's second step offers, in this app's terms (the app's code first). */
export function factorMethods(methods: readonly SecondStepMethod[]): FactorMethod[] {
  const offered: FactorMethod[] = [];
  if (methods.includes('totp')) offered.push('code');
  if (methods.includes('recovery-code')) offered.push('recoveryCode');
  return offered;
}

/** What the "confirm it's you" dialog asks for: "Enter your password, or a code, or use a passkey, to …". */
export function confirmationWording(twoStep: boolean, passkey: boolean): string {
  const ways = ['Enter your password', ...(twoStep ? ['a code'] : []), ...(passkey ? ['use a passkey'] : [])];
  return `${ways.join(', or ')}${ways.length > 1 ? ',' : ''} to change how you sign in.`;
}
