import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../setup/chromium.js';
import { ADMIN_PASSWORD } from '../factories/admin.js';
import { getSettings } from '../../src/settings/service.js';
import { startProvidersWorld, type ProvidersWorld } from '../generation/luma-world.js';

// The providers form in Chromium: each model list follows the provider chosen beside it, so one
// submit switches the primary and sets the fallback.
let w: ProvidersWorld;
let browser: Browser;
beforeAll(async () => {
  w = await startProvidersWorld({ ADMIN_PASSWORD, ACTIVE_AI_PROVIDER: 'runway' });
  browser = await launchChromium(chromium);
});
afterAll(async () => {
  await browser?.close();
  await w?.close();
});

async function signedIn(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${w.publicUrl}/admin/login`);
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/admin(\/)?$/);
  await page.goto(`${w.publicUrl}/admin/settings`);
  return { page, errors };
}

const visibleModels = (page: Page, select: string) =>
  page.$$eval(`select[name=${select}] optgroup`, (groups) => groups.filter((g) => !(g as HTMLOptGroupElement).hidden).map((g) => g.getAttribute('data-provider')));

describe('/admin/settings providers form in a browser', () => {
  it('switches the primary to Luma and sets Runway as fallback in one submit', async () => {
    const { page, errors } = await signedIn(1280);
    expect(await visibleModels(page, 'primaryModel')).toEqual(['runway']);
    expect(await visibleModels(page, 'fallbackModel')).toEqual([]);

    await page.selectOption('select[name=provider]', 'luma');
    expect(await visibleModels(page, 'primaryModel')).toEqual(['luma']);
    expect(await page.inputValue('select[name=primaryModel]')).toBe('ray-2');
    await page.selectOption('select[name=primaryModel]', 'ray-flash-2');
    await page.selectOption('select[name=fallbackProvider]', 'runway');
    expect(await page.inputValue('select[name=fallbackModel]')).toBe('gen4_turbo');
    await page.click('.providers-form button[type=submit]');
    await page.waitForURL(/#providers$/);
    expect(await page.textContent('.next-gen')).toContain('Luma Dream Machine · ray-flash-2');
    expect(await getSettings(w.t.ctx.db)).toMatchObject({ provider: 'luma', lumaModel: 'ray-flash-2', fallbackProvider: 'runway', model: 'gen4_turbo' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a phone, shows a refused fallback by its field without the page scrolling sideways', async () => {
    const { page } = await signedIn(390);
    await page.selectOption('select[name=fallbackProvider]', 'luma');
    await page.click('.providers-form button[type=submit]');
    await page.waitForSelector('select[name=fallbackProvider][aria-invalid=true]');
    expect(await page.textContent('.providers-form')).toContain('The fallback must differ from the primary provider (Luma Dream Machine).');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.close();
  });
});
