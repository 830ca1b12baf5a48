import { describe, expect, it } from 'vitest';
import { describeSecurityEvent } from './securityEvents';
import type { SecurityEvent } from '../api/types';

const said = (kind: string, detail: SecurityEvent['detail'] = {}) => describeSecurityEvent({ kind, detail });

describe('describeSecurityEvent', () => {
  it.each([
    ['sign-in', { method: 'registration', session: 's' }, 'Account created'],
    ['sign-in', { method: 'password', session: 's' }, 'Signed in with password'],
    ['sign-in', { method: 'password+totp', session: 's' }, 'Signed in with password and app code'],
    ['sign-in', { method: 'password+recovery-code', session: 's' }, 'Signed in with password and recovery code'],
    ['sign-in', { method: 'passkey', session: 's' }, 'Signed in with a passkey'],
    ['sign-in', { method: 'something-new' }, 'Signed in'],
    ['reauthenticated', { method: 'passkey' }, 'Confirmed it was you with a passkey'],
    ['passkey-added', { name: 'Work laptop' }, 'Passkey "Work laptop" added'],
    ['passkey-removed', { name: 'Phone' }, 'Passkey "Phone" removed'],
    ['passkey-added', {}, 'Passkey added'],
    ['reauthenticated', { method: 'password' }, 'Confirmed it was you with password'],
    ['reauthenticated', { method: 'totp' }, 'Confirmed it was you with app code'],
    ['session-ended', { reason: 'logout', sessions: 1 }, 'Signed out'],
    ['session-ended', { reason: 'ended', sessions: 1 }, 'Session revoked'],
    ['session-ended', { reason: 'logout-all', sessions: 3 }, 'Signed out everywhere (3 sessions)'],
    ['session-ended', { reason: 'password-change', sessions: 2 }, 'Other sessions signed out after the password change (2 sessions)'],
    ['session-ended', { reason: 'something-new' }, 'Session ended'],
    ['password-changed', {}, 'Password changed'],
    ['totp-enabled', {}, 'Two-step sign-in turned on'],
    ['totp-disabled', {}, 'Two-step sign-in turned off'],
    ['recovery-codes-renewed', {}, 'New recovery codes made; the old ones stopped working'],
    ['recovery-code-used', { left: 9 }, 'Recovery code used (9 codes left)'],
    ['recovery-code-used', { left: 1 }, 'Recovery code used (1 code left)'],
    ['recovery-code-used', {}, 'Recovery code used'],
  ])('%s %j reads "%s"', (kind, detail, summary) => {
    expect(said(kind, detail)).toEqual({ summary, alert: false });
  });

  it.each([
    ['sign-in-failed', { method: 'password' }, 'Failed sign-in: wrong password'],
    ['sign-in-failed', { method: 'totp' }, 'Failed sign-in: wrong app code'],
    ['sign-in-failed', { method: 'recovery-code' }, 'Failed sign-in: wrong recovery code'],
    ['sign-in-failed', {}, 'Failed sign-in'],
    ['sign-in-failed', { method: 'passkey' }, 'Failed sign-in: passkey not accepted'],
    ['reauthentication-failed', { method: 'passkey' }, 'Failed confirmation: passkey not accepted'],
    ['reauthentication-failed', { method: 'password' }, 'Failed confirmation: wrong password'],
    ['refresh-token-reused', { reason: 'reuse', sessions: 1 }, 'A used sign-in token came back: that sign-in was ended on every device'],
  ])('%s %j reads "%s", as an alert', (kind, detail, summary) => {
    expect(said(kind, detail)).toEqual({ summary, alert: true });
  });

  it('names a kind it does not know rather than hide it', () => {
    expect(said('email-changed').summary).toBe('Security event: email changed');
  });

  it('ignores details of the wrong type', () => {
    expect(said('recovery-code-used', { left: 'many' }).summary).toBe('Recovery code used');
    expect(said('sign-in', { method: 7 }).summary).toBe('Signed in');
  });
});
