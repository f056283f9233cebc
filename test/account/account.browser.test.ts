import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAxeClean, pageErrors, useBrowserApp } from '../setup/pages.js';
import { buildAccountExport } from '../../src/account/data-export.js';
import { fullAccount } from './world.js';

const app = useBrowserApp();
const SHOTS = process.env.ACCOUNT_SCREENSHOTS; // a folder: save what the page looks like

async function signIn(page: Page, email: string) {
  await page.goto(`${app.base}/login`);
  await page.fill('input[name=email]', email);
  await page.click('form[action="/auth/dev"] button[type=submit]');
  await page.waitForURL(/\/projects/);
}

describe('/account in a real browser', () => {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]] as const) {
    it(`fits a ${name} screen without sideways scrolling, and deletion asks twice`, async () => {
      const w = await fullAccount(app.t.ctx.db, app.t.ctx.storage, { email: `long.name.for.a.phone.${name}@example-company.com` });
      const context = await app.browser.newContext({ viewport, userAgent: name === 'phone' ? 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' : undefined });
      const other = await app.browser.newContext();
      await signIn(await other.newPage(), w.user.email); // a second device to list
      const page = await context.newPage();
      const errors = pageErrors(page);
      await signIn(page, w.user.email);
      const row = await app.t.ctx.db.insertInto('account_exports').values({ user_id: w.user.id }).returning('id').executeTakeFirstOrThrow();
      await buildAccountExport(app.t.ctx, row.id);

      await page.click('.account-menu summary');
      await page.click('.account-menu a[href="/account"]');
      await page.waitForURL(/\/account$/);
      await expect(page.locator('h1').textContent()).resolves.toBe('Your account');
      expect(await page.locator('[data-device-id]').count()).toBe(2);
      await expect(page.locator('[data-download-link]').isVisible()).resolves.toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/account-${name}.png`, fullPage: true });
      await expectAxeClean(page);

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
    const w = await fullAccount(app.t.ctx.db, app.t.ctx.storage);
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await signIn(page, w.user.email);
    await page.goto(`${app.base}/account`);
    await page.click('#download button[type=submit]');
    await page.waitForSelector('#download[data-download-state="queued"] progress');
    const row = await app.t.ctx.db.selectFrom('account_exports').select('id').where('user_id', '=', w.user.id).executeTakeFirstOrThrow();
    await buildAccountExport(app.t.ctx, row.id);
    await page.waitForSelector('#download[data-download-state="ready"] [data-download-link]', { timeout: 10_000 });
    expect(page.url()).toMatch(/\/account$/);
    await context.close();
  });
});
