import { expect, test } from './policy';

/**
 * The browser policy holds where an attacker would try it: a script injected into the page,
 * an inline event handler and eval are refused (every other spec checks that the app itself
 * never breaks the policy). Runs in every arrangement: served by the API, and by a static host
 * whose policy names the API elsewhere.
 */
test('an injected script, an inline handler and eval are refused', { tag: '@cross-origin' }, async ({ page, policy }) => {
  policy.expectViolations();
  const response = await page.goto('/');
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("script-src 'self';");
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['permissions-policy']).toContain('camera=()');

  interface Attempts {
    ran: string[];
    refused: string[];
  }
  await page.evaluate(() => {
    const attempts = window as unknown as Attempts;
    attempts.ran = [];
    attempts.refused = [];
    document.addEventListener('securitypolicyviolation', (event) => attempts.refused.push(event.effectiveDirective));

    const script = document.createElement('script');
    script.textContent = 'window.ran.push("script")';
    document.body.append(script);
    document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.ran.push(\'handler\')">');
    // A string run later, as eval: from the page itself (DevTools' own evaluation, which
    // carries this function here, may always eval).
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the attempt under test
    window.setTimeout('window.ran.push("eval")', 0);
  });

  // Each refusal is reported as it happens (the handler's when the image fails): once all
  // three are, nothing injected ran.
  const refused = () => page.evaluate(() => [...new Set((window as unknown as Attempts).refused)].sort());
  await expect.poll(refused).toEqual(['script-src', 'script-src-attr', 'script-src-elem']);
  expect(await page.evaluate(() => (window as unknown as Attempts).ran)).toEqual([]);
});
