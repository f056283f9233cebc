import { beforeAll, describe, expect, it } from 'vitest';
import { dropFiles, expectAxeClean, openProjectPage, pageErrors, useBrowserApp, useTempDir, VIEWPORTS } from '../setup/pages.js';
import { createProject, createUser } from '../factories.js';
import { balanceOf } from '../factories/clips.js';
import { writePhotos } from './fixtures.js';

// Six photos onto a new project, chosen in the picker (desktop) or dropped on the page (phone):
// six cards at once, one progress bar, six clips, nothing charged, and the page passes axe.

const SHOTS = process.env.PHOTOS_SCREENSHOTS;
const app = useBrowserApp();
const dir = useTempDir('echoes-photos-browser-');
let files: string[];

beforeAll(async () => {
  files = await writePhotos(dir.path, [[600, 400], [400, 711], [500, 500], [600, 400], [400, 711], [500, 500]]);
});

describe('adding many photos in a browser', () => {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`${size}: six photos become six cards at once, then six free clips; axe finds nothing`, async () => {
      const user = await createUser(app.t.ctx.db, { email: `photos-${size}@example.com`, credits: 1 });
      const project = await createProject(app.t.ctx.db, user.id, { title: `Six photos ${size}` });
      const page = await app.browser.newPage({ viewport });
      const errors = pageErrors(page);
      try {
        await openProjectPage(page, app.base, user.email, project.id);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-empty.png`, fullPage: true });
        if (size === 'desktop') await page.setInputFiles('form[data-photos-form] input[type=file]', files);
        else await dropFiles(page, files);
        // The stand-ins appear at once, before any answer.
        await page.waitForFunction(() => document.querySelectorAll('#clip-grid .clip-card').length === 6, null, { timeout: 5000 });
        await page.waitForFunction(() => document.querySelectorAll('#clip-grid .clip-card[data-clip-id]').length === 6, null, { timeout: 30_000 });
        expect(await page.locator('[data-photos-label]').textContent()).toContain('Added 6 of 6 photos');
        expect(await page.locator('form[data-photos-form] input[type=file]').evaluate((i) => (i as HTMLInputElement).files?.length ?? 0)).toBe(0);
        const clips = await app.t.ctx.db.selectFrom('clips').select(['id', 'credits_spent']).where('project_id', '=', project.id).orderBy('position').execute();
        expect(clips).toHaveLength(6);
        expect(clips.every((c) => c.credits_spent === 0)).toBe(true);
        expect(await balanceOf(app.t.ctx.db, user.id)).toBe(1);
        // The grid's order is the order the photos were chosen in, and the database agrees.
        await expect.poll(async () => (await app.t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).orderBy('position').execute()).map((c) => c.id)).toEqual(
          await page.locator('#clip-grid .clip-card[data-clip-id]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-clip-id'))),
        );
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-six.png`, fullPage: true });
        await expectAxeClean(page);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);
  }
});
