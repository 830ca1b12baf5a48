import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
type Violation = AxeResults['violations'][number];

/** The impacts that fail a run; "minor" and "moderate" findings are reported, not fatal. */
const BLOCKING = new Set<Violation['impact']>(['serious', 'critical']);

/** A violation as one readable block: rule, impact, help and where, one line per node. */
function describe(violation: Violation): string {
  const nodes = violation.nodes.map((node) => {
    // A target lists selectors from the top document inward (frames, shadow roots).
    const where = node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : part)).join(' | ');
    // "Fix any of the following:" and its reasons, one after the other on one line.
    const why = (node.failureSummary ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .reduce((text, line) => (text ? `${text}${text.endsWith(':') ? ' ' : '; '}${line}` : line), '');
    return `    - ${where}${why ? `\n      ${why}` : ''}`;
  });
  return `${violation.id} [${violation.impact}]: ${violation.help} (${violation.helpUrl})\n${nodes.join('\n')}`;
}

/**
 * Waits until nothing on the page is mid-animation or mid-transition (a dialog fading in is
 * not yet the colour it settles on), leaving endless ones such as spinners running.
 */
async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const finite = document
      .getAnimations()
      .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map((animation) => animation.finished.catch(() => undefined)));
  });
}

/**
 * Runs axe-core on the page as it is now (every rule it runs by default: WCAG 2.x A/AA and best
 * practices) and fails on any violation of impact "serious" or "critical", naming for each the
 * rule, its help and the offending nodes. `screen` names the run in the message and the report,
 * which gets the full results as an attachment.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  await test.info().attach(`axe ${screen}`, {
    body: JSON.stringify({ url: results.url, violations: results.violations }, null, 2),
    contentType: 'application/json',
  });
  const blocking = results.violations.filter((violation) => BLOCKING.has(violation.impact));
  expect(blocking.map(describe), `serious or critical accessibility violations on ${screen}`).toEqual([]);
}

/** What Tab reached, kept by the page while `expectEveryControlTabbable` walks it. */
interface TabWalk {
  reached: Set<Element>;
  first: Element | null;
  stop: () => void;
}

declare global {
  interface Window {
    tabWalk?: TabWalk;
  }
}

/** The controls a keyboard must reach: of the open modal dialog if there is one (the rest is inert). */
const CONTROLS = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * Presses Tab until focus comes back round to where it started and fails if any visible, enabled
 * control of the screen was never focused on the way, naming each. Start it with focus at the top
 * of the page, or in the open dialog.
 */
export async function expectEveryControlTabbable(page: Page, screen: string): Promise<void> {
  const count = await page.evaluate((selector) => {
    const walk: TabWalk = { reached: new Set(), first: null, stop: () => undefined };
    const onFocus = (event: FocusEvent) => {
      if (!(event.target instanceof Element)) return;
      walk.first ??= event.target;
      walk.reached.add(event.target);
    };
    document.addEventListener('focusin', onFocus);
    walk.stop = () => document.removeEventListener('focusin', onFocus);
    const active = document.activeElement;
    if (active && active !== document.body) {
      walk.first = active;
      walk.reached.add(active);
    }
    window.tabWalk = walk;
    return (document.querySelector('dialog[open]') ?? document).querySelectorAll(selector).length;
  }, CONTROLS);

  // Each control once (a date input takes three presses), and out of the page and back in.
  const limit = 3 * count + 5;
  let presses = 0;
  let wrapped = false;
  while (!wrapped && presses < limit) {
    await page.keyboard.press('Tab');
    presses++;
    wrapped = await page.evaluate(() => {
      const walk = window.tabWalk;
      return Boolean(walk && walk.reached.size > 1 && document.activeElement === walk.first);
    });
  }
  const missed = await page.evaluate((selector) => {
    const walk = window.tabWalk;
    walk?.stop();
    delete window.tabWalk;
    const scope = document.querySelector('dialog[open]') ?? document;
    return Array.from(scope.querySelectorAll<HTMLElement>(selector))
      .filter((el) => !el.matches(':disabled') && !el.closest('[inert]') && el.checkVisibility({ visibilityProperty: true }))
      .filter((el) => !walk?.reached.has(el))
      .map((el) => `<${el.tagName.toLowerCase()}> "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}"`);
  }, CONTROLS);
  expect(wrapped, `Tab never brought focus back round on ${screen} (${presses} presses)`).toBe(true);
  expect(missed, `controls Tab never reached on ${screen}`).toEqual([]);
}
