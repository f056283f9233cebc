import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestApp } from '../setup/context.js';
import { signInThroughForm, startBrowserApp } from '../setup/chromium.js';
import { createProject, createUser } from '../factories.js';
import { photo } from '../photos/fixtures.js';

// A new 16:9 project, three portrait photos and one landscape: the page offers 9:16 as the photos
// land (no reload), one click takes it, and the cards come back in the portrait frame. Axe clean.

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SHOTS = process.env.SHAPE_SCREENSHOTS;
let t: TestApp;
let browser: Browser;
let base: string;
let close = async () => {};
let dir: string;
let files: string[];

beforeAll(async () => {
  ({ t, browser, base, close } = await startBrowserApp());
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-shape-browser-'));
  const shapes: Array<[number, number]> = [[400, 711], [600, 400], [400, 711], [400, 711]];
  files = await Promise.all(
    shapes.map(async ([w, h], i) => {
      const file = path.join(dir, `photo-${i + 1}.jpg`);
      await writeFile(file, await photo(w, h));
      return file;
    }),
  );
});
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

describe('the shape a new project\'s first photos suggest', () => {
  for (const [size, viewport] of Object.entries(sizes)) {
    it(`${size}: mostly portrait photos bring the 9:16 offer as they land; one click takes it`, async () => {
      const user = await createUser(t.ctx.db, { email: `shape-${size}@example.com` });
      const project = await createProject(t.ctx.db, user.id, { title: `Portraits ${size}`, ratio: '1280:720' });
      const page = await browser.newPage({ viewport });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await signInThroughForm(page, base, user.email);
        await page.goto(`${base}/projects/${project.id}`);
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
        const axe = await new AxeBuilder({ page }).withTags(TAGS).options({ resultTypes: ['violations'] }).setLegacyMode().analyze();
        expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        if (SHOTS) {
          await offer.scrollIntoViewIfNeeded();
          await page.screenshot({ path: `${SHOTS}/${size}-offer.png` });
        }

        await Promise.all([page.waitForURL(`${base}/projects/${project.id}`), accept.click()]);
        await page.waitForLoadState('domcontentloaded');
        expect(await page.locator('[data-shape-offer]').count()).toBe(0);
        expect(await page.locator('.project-meta').textContent()).toContain('Portrait 9:16');
        expect(await page.locator('#clip-grid .clip-card .clip-media.ratio-720x1280').count()).toBe(4);
        expect(await page.locator('.flash').textContent()).toContain('All 4 photos were cropped again');
        const row = await t.ctx.db.selectFrom('projects').select(['ratio', 'shape_settled']).where('id', '=', project.id).executeTakeFirstOrThrow();
        expect(row).toEqual({ ratio: '720:1280', shape_settled: true });
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-accepted.png`, fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 120_000);
  }
});
