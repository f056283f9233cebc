import { describe, expect, it } from 'vitest';
import { useBrowserApp } from '../setup/pages.js';

const app = useBrowserApp();

describe('landing page in a real browser', () => {
  it('renders without console errors, with htmx loaded from our origin', async () => {
    const page = await app.browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.base + '/');
    await expect(page.locator('h1').textContent()).resolves.toContain('music video');
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
    expect(errors).toEqual([]);
    await page.close();
  });
});
