import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../setup/context.js';
import { launchChromium } from '../setup/chromium.js';

let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium(chromium);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

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
