import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestApp } from '../setup/context.js';
import { signInThroughForm, startBrowserApp } from '../setup/chromium.js';
import { createProject, createUser } from '../factories.js';
import { balanceOf } from '../factories/clips.js';
import { photo } from './fixtures.js';

// Six photos onto a new project, chosen in the picker (desktop) or dropped on the page (phone):
// six cards at once, one progress bar, six clips, nothing charged, and the page passes axe.

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SHOTS = process.env.PHOTOS_SCREENSHOTS;
let t: TestApp;
let browser: Browser;
let base: string;
let close = async () => {};
let dir: string;
let files: string[];

beforeAll(async () => {
  ({ t, browser, base, close } = await startBrowserApp());
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-photos-browser-'));
  const shapes: Array<[number, number]> = [[600, 400], [400, 711], [500, 500], [600, 400], [400, 711], [500, 500]];
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

async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const payload = await Promise.all(paths.map(async (p) => ({ name: path.basename(p), b64: (await import('node:fs/promises')).readFile(p).then((b) => b.toString('base64')) })));
  const resolved = await Promise.all(payload.map(async (f) => ({ name: f.name, b64: await f.b64 })));
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bin], f.name, { type: 'image/jpeg' }));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, resolved);
}

const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

describe('adding many photos in a browser', () => {
  for (const [size, viewport] of Object.entries(sizes)) {
    it(`${size}: six photos become six cards at once, then six free clips; axe finds nothing`, async () => {
      const user = await createUser(t.ctx.db, { email: `photos-${size}@example.com`, credits: 1 });
      const project = await createProject(t.ctx.db, user.id, { title: `Six photos ${size}` });
      const page = await browser.newPage({ viewport });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await signInThroughForm(page, base, user.email);
        await page.goto(`${base}/projects/${project.id}`);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-empty.png`, fullPage: true });
        if (size === 'desktop') await page.setInputFiles('form[data-photos-form] input[type=file]', files);
        else await dropFiles(page, files);
        // The stand-ins appear at once, before any answer.
        await page.waitForFunction(() => document.querySelectorAll('#clip-grid .clip-card').length === 6, null, { timeout: 5000 });
        await page.waitForFunction(() => document.querySelectorAll('#clip-grid .clip-card[data-clip-id]').length === 6, null, { timeout: 30_000 });
        expect(await page.locator('[data-photos-label]').textContent()).toContain('Added 6 of 6 photos');
        expect(await page.locator('form[data-photos-form] input[type=file]').evaluate((i) => (i as HTMLInputElement).files?.length ?? 0)).toBe(0);
        const clips = await t.ctx.db.selectFrom('clips').select(['id', 'credits_spent']).where('project_id', '=', project.id).orderBy('position').execute();
        expect(clips).toHaveLength(6);
        expect(clips.every((c) => c.credits_spent === 0)).toBe(true);
        expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
        // The grid's order is the order the photos were chosen in, and the database agrees.
        await expect.poll(async () => (await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).orderBy('position').execute()).map((c) => c.id)).toEqual(
          await page.locator('#clip-grid .clip-card[data-clip-id]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-clip-id'))),
        );
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-six.png`, fullPage: true });
        const axe = await new AxeBuilder({ page }).withTags(TAGS).options({ resultTypes: ['violations'] }).setLegacyMode().analyze();
        expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);
  }
});
