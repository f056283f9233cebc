import type { Page } from 'playwright-core';

// Controls are told apart by what they are, not by a mark on the element: the page's live
// stream may re-render a clip card between looking at the page and tabbing through it.
const SIGNATURE = `window.__kbSign = (el) => {
  const radio = el instanceof HTMLInputElement && el.type === 'radio';
  const what = radio ? 'radio ' + el.name : (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || el.id || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  const holder = el.parentElement && el.parentElement.closest('[id]');
  return (holder ? holder.id + ' > ' : '') + el.tagName.toLowerCase() + ' "' + what + '"' + (el.getAttribute('href') ? ' ' + el.getAttribute('href') : '');
}`;

/** Every control a person could operate on the page as it stands. */
export async function controlsOn(page: Page): Promise<string[]> {
  await page.evaluate(SIGNATURE); // a string, evaluated by the debugger: the page's CSP allows no eval
  return page.evaluate(() => {
    const sign = (window as unknown as { __kbSign: (el: Element) => string }).__kbSign;
    const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const out = new Set<string>();
    document.querySelectorAll<HTMLElement>(selector).forEach((el) => {
      if (!el.checkVisibility({ visibilityProperty: true }) || el.closest('[inert]')) return;
      out.add(sign(el));
    });
    return [...out];
  });
}

interface Stop {
  control: string | null;
  /** The focus ring: an outline or a box shadow, on the control or drawn by the box around it. */
  ring: boolean;
}

async function focused(page: Page): Promise<Stop> {
  return page.evaluate(() => {
    const sign = (window as unknown as { __kbSign: (el: Element) => string }).__kbSign;
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { control: null, ring: false };
    const ringOf = (e: Element | null) => {
      if (!e) return false;
      const s = getComputedStyle(e);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    };
    // A card with :focus-within or a tile with :has(:focus-visible) draws the ring for its control.
    return { control: sign(el), ring: ringOf(el) || ringOf(el.closest('.project-card, .ratio-tile')) };
  });
}

/**
 * Tabs through the whole page with the keyboard alone and says which controls were never reached
 * and which showed no focus ring when they were.
 */
export async function tabThrough(page: Page): Promise<{ unreached: string[]; noRing: string[]; stops: number }> {
  const controls = await controlsOn(page);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached = new Set<string>();
  const noRing = new Set<string>();
  let first: string | null = null;
  let stops = 0;
  for (let i = 0; i < controls.length * 2 + 20; i++) {
    await page.keyboard.press('Tab');
    const stop = await focused(page);
    if (stop.control === null) continue;
    // Back at the first control: the walk has gone round, unless a live swap (a pushed card, the
    // timeline's refresh) took the focus back to the top on the way; then it goes round once more.
    if (stop.control === first && controls.every((c) => reached.has(c))) break;
    first ??= stop.control;
    stops++;
    reached.add(stop.control);
    if (!stop.ring) noRing.add(stop.control);
  }
  return { unreached: controls.filter((c) => !reached.has(c)), noRing: [...noRing], stops };
}

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => Boolean(document.activeElement?.matches(s)), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
