import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../setup/context.js';
import { startBrowserApp } from '../setup/chromium.js';

let t: TestApp;
let browser: Browser;
let base: string;
let close = async () => {};

beforeAll(async () => {
  ({ t, browser, base, close } = await startBrowserApp());
});
afterAll(() => close());

describe('landing page in a real browser', () => {
  it('renders without console errors, with htmx loaded from our origin', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await expect(page.locator('h1').textContent()).resolves.toContain('music video');
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
    expect(errors).toEqual([]);
    await page.close();
  });
});
