import { beforeAll, describe, expect, it } from 'vitest';
import { expectAxeClean, openProjectPage, pageErrors, useBrowserApp, useTempDir, VIEWPORTS } from '../setup/pages.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { balanceOf } from '../factories/clips.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { writePhotos } from '../photos/fixtures.js';

// "Animate N clips · N credits" (issue 28, item 3) in a browser: the count and price follow the
// draft cards, a confirmation comes first and says what is short, a 402 names the shortfall with a
// link to buy credits, and a confirmed run charges every draft at once.

const SHOTS = process.env.ANIMATE_SCREENSHOTS;
const app = useBrowserApp({ ACTIVE_AI_PROVIDER: 'local' });
const dir = useTempDir('echoes-animate-browser-');
let files: string[];

beforeAll(async () => {
  files = await writePhotos(dir.path, [[600, 400], [400, 600], [500, 500]]);
});

describe('animating every draft at once', () => {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`${size}: confirmed first, a short balance is told what it lacks, then all are charged at once`, async () => {
      const user = await createUser(app.t.ctx.db, { email: `animate-${size}@example.com`, credits: 2 });
      const project = await createProject(app.t.ctx.db, user.id, { title: `Animate ${size}` });
      const page = await app.browser.newPage({ viewport });
      const errors = pageErrors(page);
      try {
        await openProjectPage(page, app.base, user.email, project.id);
        expect(await page.locator('[data-animate-all]').isVisible()).toBe(false);
        await page.setInputFiles('form[data-photos-form] input[type=file]', files);
        await page.waitForFunction(() => document.querySelectorAll('#clip-grid .clip-card[data-clip-id][data-status="draft"]').length === 3, null, { timeout: 30_000 });
        const button = page.locator('[data-animate-all-button]');
        await expect.poll(() => button.textContent()).toBe('Animate 3 clips · 3 credits');

        await button.click();
        const panel = page.locator('form[data-animate-all-form]');
        expect(await panel.isVisible()).toBe(true);
        expect(await panel.textContent()).toMatch(/Animate 3 draft clips with AI for\s+3 credits\?\s+You have 2 credits\./);
        expect(await page.locator('[data-animate-short]').textContent()).toContain('That is 1 credit more than you have. Buy credits');
        expect(await panel.locator('input[name=clip_ids]').count()).toBe(3);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-confirm-short.png`, fullPage: true });
        await expectAxeClean(page);

        // "Not now" closes it and gives the focus back to the button.
        await page.click('[data-animate-all-cancel]');
        expect(await panel.isVisible()).toBe(false);
        expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-animate-all-button'))).toBe(true);

        // Sent anyway: 402, the shortfall in words, a way to buy, nothing charged.
        await button.click();
        const [res] = await Promise.all([page.waitForNavigation(), page.click('[data-animate-all-submit]')]);
        expect(res?.status()).toBe(402);
        expect(await page.locator('main').textContent()).toContain('You need 1 more credit.');
        expect(await page.locator('main a[href="/credits"]').count()).toBeGreaterThan(0);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-402.png`, fullPage: true });
        expect(await balanceOf(app.t.ctx.db, user.id)).toBe(2);

        // With enough credits: confirmed, every draft is charged at once and queued.
        await withTx(app.t.ctx.db, (tx) => grantCredits(tx, user.id, 3, 'admin', null, 'test grant'));
        await page.goto(`${app.base}/projects/${project.id}`);
        await button.click();
        expect(await page.locator('[data-animate-short]').isVisible()).toBe(false);
        await Promise.all([page.waitForNavigation(), page.click('[data-animate-all-submit]')]);
        expect(await balanceOf(app.t.ctx.db, user.id)).toBe(2);
        expect(await page.locator('[data-credit-balance]').first().getAttribute('data-credit-balance')).toBe('2');
        const clips = await app.t.ctx.db.selectFrom('clips').select(['status', 'attempt']).where('project_id', '=', project.id).execute();
        expect(clips.every((c) => c.attempt === 1 && c.status === 'queued')).toBe(true);
        expect(await page.locator('[data-animate-all]').isVisible()).toBe(false);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-animating.png`, fullPage: true });
        await expectLedgerBalanced(app.t.ctx.db);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 120_000);
  }
});
