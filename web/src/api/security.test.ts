import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type MockAdapter from 'axios-mock-adapter';
import {
  beginEnrolment,
  confirmEnrolment,
  fetchSecurityLog,
  fetchTwoStep,
  reauthenticate,
  renewRecoveryCodes,
  SECURITY_LOG_PAGE,
  turnOffTwoStep,
} from './security';
import { isProblem } from './errors';
import { mockApi, problemReply, resetStores, signIn } from '../test/helpers';

const CODES = Array.from({ length: 10 }, (_, i) => `code${i}-abcde`);

describe('account security on API v2', () => {
  let mock: MockAdapter;
  beforeEach(() => {
    resetStores();
    signIn('t');
    mock = mockApi();
  });
  afterEach(() => mock.restore());

  const sentBody = (method: 'post' | 'delete', index = 0): unknown => JSON.parse(String(mock.history[method]?.[index]?.data));

  it('confirms who is there with exactly one proof', async () => {
    mock.onPost(/\/auth\/reauthenticate$/).reply(204);
    await reauthenticate({ password: 'pw' });
    await reauthenticate({ code: '123456' });
    await reauthenticate({ recoveryCode: 'abcde-fghij' });
    expect([0, 1, 2].map((i) => sentBody('post', i))).toEqual([
      { password: 'pw' },
      { code: '123456' },
      { recoveryCode: 'abcde-fghij' },
    ]);
  });

  it('reads the two-step status', async () => {
    const status = { enabled: true, enabledAt: '2026-12-01T09:30:00.000Z', recoveryCodesLeft: 9 };
    mock.onGet(/\/auth\/totp$/).reply(200, status);
    await expect(fetchTwoStep()).resolves.toEqual(status);
  });

  it('begins an enrolment with no body, and lets a reauthentication-required refusal through to the caller', async () => {
    const enrolment = { secret: 'JBSWY3DPEHPK3PXP', uri: 'otpauth://totp/TaskMaster:a?secret=JBSWY3DPEHPK3PXP', expiresAt: 'x' };
    mock
      .onPost(/\/auth\/totp\/enrolment$/)
      .replyOnce(...problemReply('reauthentication-required', 'Please confirm it is you'))
      .onPost(/\/auth\/totp\/enrolment$/)
      .replyOnce(201, enrolment);
    const refused = await beginEnrolment().catch((err: unknown) => err);
    expect(isProblem(refused, 'reauthentication-required')).toBe(true);
    await expect(beginEnrolment()).resolves.toEqual(enrolment);
    expect(mock.history.post?.[1]?.data).toBeUndefined();
  });

  it('confirms the enrolment with the first code and hands back the recovery codes', async () => {
    mock.onPost(/\/auth\/totp\/confirmation$/).reply(200, { recoveryCodes: CODES });
    await expect(confirmEnrolment('123456')).resolves.toEqual(CODES);
    expect(sentBody('post')).toEqual({ code: '123456' });
  });

  it('renews the recovery codes', async () => {
    mock.onPost(/\/auth\/totp\/recovery-codes$/).reply(200, { recoveryCodes: CODES });
    await expect(renewRecoveryCodes()).resolves.toEqual(CODES);
  });

  it('turns two-step sign-in off with a code in the DELETE body', async () => {
    mock.onDelete(/\/auth\/totp$/).reply(204);
    await turnOffTwoStep({ recoveryCode: 'abcde-fghij' });
    expect(sentBody('delete')).toEqual({ recoveryCode: 'abcde-fghij' });
  });

  it('pages through the security log with the cursor it was given', async () => {
    mock.onGet(/\/auth\/security-log$/).reply(200, { items: [], nextCursor: null });
    await fetchSecurityLog();
    await fetchSecurityLog('next-1');
    expect(mock.history.get?.map((r) => r.params as unknown)).toEqual([
      { limit: SECURITY_LOG_PAGE },
      { limit: SECURITY_LOG_PAGE, cursor: 'next-1' },
    ]);
  });
});
