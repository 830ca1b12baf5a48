import { describe, expect, it } from 'vitest';
import { confirmationWording, factorBody, factorMethods, proofBody, proofProblem } from './proofs';

describe('proofs', () => {
  it('takes an app code of six digits, spaces aside', () => {
    expect(proofProblem('code', '123456')).toBeNull();
    expect(proofProblem('code', ' 123 456 ')).toBeNull();
    expect(proofProblem('code', '12345')).toBe('Enter the 6-digit code from your authenticator app');
    expect(proofProblem('code', '12345a')).not.toBeNull();
    expect(factorBody('code', ' 123 456 ')).toEqual({ code: '123456' });
  });

  it('takes any recovery code that is not blank, and leaves its form to the server', () => {
    expect(proofProblem('recoveryCode', '   ')).toBe('Enter one of your recovery codes');
    expect(proofProblem('recoveryCode', 'ABCDE FGHIJ')).toBeNull();
    expect(factorBody('recoveryCode', ' abcde-fghij ')).toEqual({ recoveryCode: 'abcde-fghij' });
  });

  it('sends a password as typed', () => {
    expect(proofProblem('password', '')).toBe('Enter your password');
    expect(proofBody('password', ' pass word ')).toEqual({ password: ' pass word ' });
    expect(proofBody('code', '654321')).toEqual({ code: '654321' });
  });

  it("offers the second step's methods in this app's terms, the app's code first", () => {
    expect(factorMethods(['recovery-code', 'totp'])).toEqual(['code', 'recoveryCode']);
    expect(factorMethods(['recovery-code'])).toEqual(['recoveryCode']);
  });

  it('asks for what the account has, in one sentence', () => {
    expect(confirmationWording(false, false)).toBe('Enter your password to change how you sign in.');
    expect(confirmationWording(true, false)).toBe('Enter your password, or a code, to change how you sign in.');
    expect(confirmationWording(false, true)).toBe('Enter your password, or use a passkey, to change how you sign in.');
    expect(confirmationWording(true, true)).toBe('Enter your password, or a code, or use a passkey, to change how you sign in.');
  });
});
