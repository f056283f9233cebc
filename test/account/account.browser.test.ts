import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { createTestApp, type TestApp } from '../setup/context.js';
import { launchChromium } from '../setup/chromium.js';
import { buildAccountExport } from '../../src/account/data-export.js';
import { fullAccount } from './world.js';

let t: TestApp;
let browser: Browser;
let base: string;
const SHOTS = process.env.ACCOUNT_SCREENSHOTS; // a folder: save what the page looks like

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium(chromium);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signIn(page: Page, email: string) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.click('form[action="/auth/dev"] button[type=submit]');
  await page.waitForURL(/\/projects/);
}

describe('/account in a real browser', () => {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]] as const) {
    it(`fits a ${name} screen without sideways scrolling, and deletion asks twice`, async () => {
      const w = await fullAccount(t.ctx.db, t.ctx.storage, { email: `long.name.for.a.phone.${name}@example-company.com` });
      const context = await browser.newContext({ viewport, userAgent: name === 'phone' ? 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' : undefined });
      const other = await browser.newContext();
      await signIn(await other.newPage(), w.user.email); // a second device to list
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, w.user.email);
      const row = await t.ctx.db.insertInto('account_exports').values({ user_id: w.user.id }).returning('id').executeTakeFirstOrThrow();
      await buildAccountExport(t.ctx, row.id);

      await page.click('.account-menu summary');
      await page.click('.account-menu a[href="/account"]');
      await page.waitForURL(/\/account$/);
      await expect(page.locator('h1').textContent()).resolves.toBe('Your account');
      expect(await page.locator('[data-device-id]').count()).toBe(2);
      await expect(page.locator('[data-download-link]').isVisible()).resolves.toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/account-${name}.png`, fullPage: true });
      const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

      // Deleting: open the form, type the email, and the page asks once more; dismissing keeps everything.
      await page.click('.delete-confirm summary');
      await page.fill('#confirm-email', w.user.email);
      let asked = '';
      page.once('dialog', (d) => {
        asked = d.message();
        void d.dismiss();
      });
      await page.click('.delete-confirm button[type=submit]');
      expect(asked).toContain('cannot be undone');
      expect(page.url()).toMatch(/\/account$/);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/account-delete-${name}.png`, fullPage: false });
      expect(errors).toEqual([]);
      await context.close();
      await other.close();
    }, 120_000);
  }

  it('prepares a download with one click and shows the link when it is ready, without a reload', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, w.user.email);
    await page.goto(`${base}/account`);
    await page.click('#download button[type=submit]');
    await page.waitForSelector('#download[data-download-state="queued"] progress');
    const row = await t.ctx.db.selectFrom('account_exports').select('id').where('user_id', '=', w.user.id).executeTakeFirstOrThrow();
    await buildAccountExport(t.ctx, row.id);
    await page.waitForSelector('#download[data-download-state="ready"] [data-download-link]', { timeout: 10_000 });
    expect(page.url()).toMatch(/\/account$/);
    await context.close();
  });
});
