import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';
import { signInThroughForm } from '../setup/chromium.js';
import { expectAxeClean, useBrowserApp } from '../setup/pages.js';

const SHOTS = process.env.EXPORT_SCREENSHOTS; // a folder: save each state as it looked when checked
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** The export page in Chromium: the choices, the one spec line of the checked pair, a finished file's properties; axe clean at both sizes. */
describe('export page in the browser', () => {
  const app = useBrowserApp();
  let projectId: string;
  let email: string;

  beforeAll(async () => {
    const user = await createUser(app.t.ctx.db, { email: 'export-page@example.com' });
    email = user.email;
    const seeded = await seedExportProject(app.t.ctx, user.id, { clips: [{ width: 160, height: 90, durationS: 2 }, { width: 160, height: 90, durationS: 2 }], title: 'Harbour at dusk' });
    projectId = seeded.project.id;
  }, 120_000);

  const visibleSpecs = (page: Page) => page.locator('.export-spec:visible').allTextContents();

  for (const size of ['desktop', 'phone'] as const) {
    it(`shows the checked size and shape's specs before starting, then a file's real properties (${size})`, async () => {
      const context = await app.browser.newContext({ viewport: VIEWPORTS[size] });
      const page = await context.newPage();
      try {
        await signInThroughForm(page, app.base, email);
        await app.t.ctx.db.deleteFrom('exports').where('project_id', '=', projectId).execute();
        await page.goto(`${app.base}/projects/${projectId}/export`);
        expect(await visibleSpecs(page)).toEqual([expect.stringMatching(/^1920 × 1080 at the clips' own frame rate · H\.264 up to 8\.0 Mb\/s/)]);
        await page.getByLabel('720p').check();
        await page.getByLabel('Portrait 9:16').check();
        const specs = await visibleSpecs(page);
        expect(specs).toHaveLength(1);
        expect(specs[0]).toMatch(/^720 × 1280 .* up to 5\.0 Mb\/s.* about \d+ seconds to render$/);
        await expectAxeClean(page);
        // Nothing wider than the screen.
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/export-options-${size}.png`, fullPage: true });

        // A finished export: its options and what ffprobe read in the file.
        const key = `exports/x/${projectId}/shot.mp4`;
        await app.t.ctx.storage.put(key, Buffer.from('not really a film'), 'video/mp4');
        const info = { width: 1080, height: 1920, frameRate: '24/1', frames: 89, videoCodec: 'h264', videoProfile: 'High', videoKbps: 4620, audioCodec: 'aac', audioChannels: 2, audioSampleRate: 48000, durationS: 3.7 };
        const user = await app.t.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
        await app.t.ctx.db.deleteFrom('exports').where('project_id', '=', projectId).execute();
        await app.t.ctx.db
          .insertInto('exports')
          .values({ project_id: projectId, user_id: user.id, status: 'ready', progress: 1, object_key: key, size_bytes: 2_400_000, duration_s: 3.7, resolution: 1080, shape: '9:16', render_s: 12.4, file_info: JSON.stringify(info), source_hash: 'old' })
          .execute();
        await page.goto(`${app.base}/projects/${projectId}/export`);
        await expect.poll(() => page.locator('[data-export-properties]').textContent()).toContain('1080 × 1920');
        expect(await page.locator('[data-export-properties]').textContent()).toMatch(/24 fps.*H\.264 High, 4\.6 Mb\/s.*AAC stereo, 48 kHz/);
        expect(await page.locator('[data-export-download] [data-export-options]').textContent()).toBe('1080p · Portrait 9:16');
        // Each line of properties starts with its text at the card's edge, not with a "·" (on a phone they wrap).
        const lines = await page.locator('[data-export-properties]').evaluate((list) => {
          const edge = list.closest('[data-export-download]')!.querySelector('h2')!.getBoundingClientRect().left;
          const firsts = new Map<number, number>();
          for (const span of list.querySelectorAll('span')) {
            const range = document.createRange();
            range.selectNodeContents(span);
            const { top, left } = range.getClientRects()[0]!;
            if (!firsts.has(Math.round(top))) firsts.set(Math.round(top), left - edge);
          }
          return [...firsts.values()].map((offset) => Math.round(offset));
        });
        expect(lines.length).toBeGreaterThan(size === 'phone' ? 1 : 0);
        expect(lines.every((offset) => offset === 0)).toBe(true);
        // The next export starts from the last one's choices.
        expect(await page.getByLabel('1080p').isChecked()).toBe(true);
        expect(await page.getByLabel('Portrait 9:16').isChecked()).toBe(true);
        await expectAxeClean(page);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/export-ready-${size}.png`, fullPage: true });
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
