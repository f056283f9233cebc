import { beforeAll, describe, expect, it } from 'vitest';
import { expectAxeClean, openProjectPage, pageErrors, useBrowserApp, useTempDir, VIEWPORTS } from '../setup/pages.js';
import { createProject, createUser } from '../factories.js';
import { writePhotos } from '../photos/fixtures.js';

// A new 16:9 project, three portrait photos and one landscape: the page offers 9:16 as the photos
// land (no reload), one click takes it, and the cards come back in the portrait frame. Axe clean.

const SHOTS = process.env.SHAPE_SCREENSHOTS;
const app = useBrowserApp();
const dir = useTempDir('echoes-shape-browser-');
let files: string[];

beforeAll(async () => {
  files = await writePhotos(dir.path, [[400, 711], [600, 400], [400, 711], [400, 711]]);
});

describe('the shape a new project\'s first photos suggest', () => {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`${size}: mostly portrait photos bring the 9:16 offer as they land; one click takes it`, async () => {
      const user = await createUser(app.t.ctx.db, { email: `shape-${size}@example.com` });
      const project = await createProject(app.t.ctx.db, user.id, { title: `Portraits ${size}`, ratio: '1280:720' });
      const page = await app.browser.newPage({ viewport });
      const errors = pageErrors(page);
      try {
        await openProjectPage(page, app.base, user.email, project.id);
        expect(await page.locator('[data-shape-offer]').count()).toBe(0);
        await page.setInputFiles('form[data-photos-form] input[type=file]', files);
        await page.waitForFunction(() => document.querySelectorAll('#clip-grid .clip-card[data-clip-id]').length === 4, null, { timeout: 30_000 });
        const offer = page.locator('[data-shape-offer="720:1280"]');
        await offer.waitFor({ state: 'visible', timeout: 5000 });
        expect(await offer.textContent()).toContain('3 of your 4 photos are portrait');
        const accept = offer.locator('button[data-shape-accept]');
        expect((await accept.textContent())?.trim()).toBe('Make it Portrait 9:16');
        // Plain to see: in view without scrolling past the photos.
        const box = (await offer.boundingBox())!;
        expect(box.y + box.height).toBeLessThan(viewport.height * 1.6);
        await expectAxeClean(page);
        if (SHOTS) {
          await offer.scrollIntoViewIfNeeded();
          await page.screenshot({ path: `${SHOTS}/${size}-offer.png` });
        }

        await Promise.all([page.waitForURL(`${app.base}/projects/${project.id}`), accept.click()]);
        await page.waitForLoadState('domcontentloaded');
        expect(await page.locator('[data-shape-offer]').count()).toBe(0);
        expect(await page.locator('.project-meta').textContent()).toContain('Portrait 9:16');
        expect(await page.locator('#clip-grid .clip-card .clip-media.ratio-720x1280').count()).toBe(4);
        expect(await page.locator('.flash').textContent()).toContain('All 4 photos were cropped again');
        const row = await app.t.ctx.db.selectFrom('projects').select(['ratio', 'shape_settled']).where('id', '=', project.id).executeTakeFirstOrThrow();
        expect(row).toEqual({ ratio: '720:1280', shape_settled: true });
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-accepted.png`, fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 120_000);
  }
});
