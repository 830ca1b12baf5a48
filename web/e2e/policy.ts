import { expect, test as base, type BrowserContext, type ConsoleMessage, type Page } from '@playwright/test';

/**
 * Every spec runs under the app's Content-Security-Policy, and fails if any page broke it:
 * Chromium reports each violation on the page's console. The test's own context is watched;
 * a spec that opens another calls `policy.watch(other)`. A spec that breaks the policy on
 * purpose says so with `policy.expectViolations()` and checks them itself.
 */
export interface Policy {
  watch(context: BrowserContext): void;
  expectViolations(): void;
}

function isViolation(message: ConsoleMessage): boolean {
  return message.type() === 'error' && message.text().includes('Content Security Policy');
}

export const test = base.extend<{ policy: Policy }>({
  policy: [
    async ({ context }, use) => {
      const violations: string[] = [];
      let expected = false;
      const policy: Policy = {
        watch(watched) {
          const listen = (page: Page): void => {
            page.on('console', (message) => {
              if (isViolation(message)) violations.push(`${page.url()}: ${message.text()}`);
            });
          };
          watched.pages().forEach(listen);
          watched.on('page', listen);
        },
        expectViolations() {
          expected = true;
        },
      };
      policy.watch(context);
      await use(policy);
      if (!expected) expect(violations, 'pages that broke the Content-Security-Policy').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
