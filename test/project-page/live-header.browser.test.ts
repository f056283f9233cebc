import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openProjectPage, pageErrors, useBrowserApp, useTempDir } from '../setup/pages.js';
import { createProject, createUser } from '../factories.js';
import { insertClip } from '../factories/media.js';
import { attachTake } from '../factories/takes.js';
import { storageKeys } from '../../src/storage/index.js';
import { makeTestClip } from '../factories/media.js';
import { photo } from '../photos/fixtures.js';

// Issue 28, item 5 in a browser: the header's counts and the film's length follow the clips live
// (a clip becoming ready, approved or not, deleted: no reload); queued, generating and ready cards
// look different; on a phone the clips come first and adding photos is one button that opens the
// picker; the card's Crop is a quiet control; the new-clip form's preview shows the project's frame.

const SHOTS = process.env.HEADER_SCREENSHOTS;
const app = useBrowserApp();
const dir = useTempDir('echoes-live-header-');

const header = async (page: Page) => ({
  clips: (await page.locator('[data-clip-count]').textContent())?.trim(),
  approved: (await page.locator('[data-approved-count]').textContent())?.trim(),
  filmS: Number(await page.locator('[data-film-length]').getAttribute('data-total-s')),
});

describe('the project page, live', () => {
  it('desktop: the header counts and the film length follow a clip made ready, unapproved and deleted, without a reload; the states look different', async () => {
    const user = await createUser(app.t.ctx.db, { email: 'live-header@example.com', credits: 3 });
    const project = await createProject(app.t.ctx.db, user.id, { title: 'Live header' });
    const w = { db: app.t.ctx.db, storage: app.t.ctx.storage };
    const a = await insertClip(w, { userId: user.id, projectId: project.id, position: 0, durationS: 3 });
    const b = await insertClip(w, { userId: user.id, projectId: project.id, position: 1, durationS: 3, status: 'queued' });
    const c = await insertClip(w, { userId: user.id, projectId: project.id, position: 2, durationS: 3, status: 'generating' });
    await app.t.ctx.db.updateTable('clips').set({ progress: 0.4 }).where('id', '=', c.id).execute();
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = pageErrors(page);
    page.on('dialog', (d) => void d.accept());
    try {
      await openProjectPage(page, app.base, user.email, project.id);
      await page.waitForSelector('#live[sse-connect]', { state: 'attached' });
      const first = await header(page);
      expect(first).toMatchObject({ clips: '3 clips', approved: '3 approved' });
      expect(first.filmS).toBeCloseTo(3, 1);

      // Honest states: queued says so with no bar and no 0%; generating shows its bar and percent; ready plays.
      const state = (id: string) => page.locator(`#clip-${id}`);
      expect((await state(b.id).locator('.clip-state').textContent())?.trim()).toBe('In the queue');
      expect(await state(b.id).locator('progress').count()).toBe(0);
      expect(await state(c.id).locator('.clip-state').textContent()).toMatch(/Generating\s+40%/);
      expect(await state(c.id).locator('progress').count()).toBe(1);
      expect(await state(a.id).locator('.clip-overlay').count()).toBe(0);
      expect(await state(a.id).locator('video').count()).toBe(1);
      if (SHOTS) await page.locator('#clip-grid').screenshot({ path: `${SHOTS}/desktop-states.png` });

      // The card's Crop is a quiet control: no filled button, muted text.
      const crop = state(a.id).locator('details[data-focus] > summary');
      const look = await crop.evaluate((el) => {
        const s = getComputedStyle(el);
        return { image: s.backgroundImage, bg: s.backgroundColor };
      });
      expect(look.image).toBe('none');
      expect(look.bg).toBe('rgba(0, 0, 0, 0)');

      // B becomes ready (its take arrives, as the worker leaves it): counted in the film, no reload.
      const key = storageKeys.clip(user.id, project.id, b.id);
      await app.t.ctx.storage.put(key, await makeTestClip({ color: '#22aa66', label: '2', durationS: 3 }), 'video/mp4');
      await app.t.ctx.db.updateTable('clips').set({ status: 'ready', progress: 1, finished_at: new Date() }).where('id', '=', b.id).execute();
      await attachTake(app.t.ctx.db, b, key);
      await page.waitForFunction((id) => document.querySelector(`#clip-${id}`)?.getAttribute('data-status') === 'ready', b.id, { timeout: 20_000 });
      await expect.poll(async () => (await header(page)).filmS, { timeout: 20_000 }).toBeGreaterThan(first.filmS + 1);
      const two = await header(page);

      // Unapproved in the page: one fewer approved, the film shorter.
      await state(a.id).locator('button[aria-pressed="true"]').click();
      await expect.poll(async () => (await header(page)).approved, { timeout: 20_000 }).toBe('2 approved');
      await expect.poll(async () => (await header(page)).filmS, { timeout: 20_000 }).toBeLessThan(two.filmS);

      // Deleted: one clip fewer.
      await state(c.id).locator('form[action$="/cancel"] button').click();
      await page.waitForFunction((id) => document.querySelector(`#clip-${id}`)?.getAttribute('data-status') === 'error', c.id, { timeout: 20_000 });
      await state(c.id).locator('button.clip-delete').click();
      await expect.poll(async () => (await header(page)).clips, { timeout: 20_000 }).toBe('2 clips');
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 150_000);

  it('phone: the clips come first, adding photos is one button that opens the picker; the new-clip preview shows the frame', async () => {
    const user = await createUser(app.t.ctx.db, { email: 'live-phone@example.com', credits: 3 });
    const project = await createProject(app.t.ctx.db, user.id, { title: 'Phone', ratio: '1280:720' });
    const w = { db: app.t.ctx.db, storage: app.t.ctx.storage };
    await insertClip(w, { userId: user.id, projectId: project.id, position: 0, durationS: 3 });
    await insertClip(w, { userId: user.id, projectId: project.id, position: 1, durationS: 3 });
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    try {
      await openProjectPage(page, app.base, user.email, project.id);
      // The photos form is one button (no card of text above the clips); the first clip shows in the first screen.
      const form = page.locator('form[data-photos-form]');
      expect((await form.boundingBox())!.height).toBeLessThan(90);
      // Between the film's timeline and the first clip: only that button and "Animate N clips", well under half a screen.
      const firstCard = (await page.locator('#clip-grid .clip-card').first().boundingBox())!;
      const timeline = (await page.locator('[data-timeline]').first().boundingBox())!;
      expect(firstCard.y - (timeline.y + timeline.height)).toBeLessThan(844 / 2);
      const aiForm = (await page.locator('form[data-upload-form]').boundingBox())!;
      expect(aiForm.y).toBeGreaterThan(firstCard.y);
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), form.locator('.photos-button').tap()]);
      expect(chooser.isMultiple()).toBe(true);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/phone-top.png` });

      // The new-clip form's preview: a portrait photo in a 16:9 project shows the 16:9 frame across its middle.
      const file = path.join(dir.path, 'portrait.jpg');
      await writeFile(file, await photo(400, 711));
      await page.setInputFiles('form[data-upload-form] input[name=image]', file);
      const frame = page.locator('form[data-upload-form] [data-preview-frame]');
      await frame.waitFor({ state: 'visible' });
      const pic = (await page.locator('form[data-upload-form] .upload-preview img').boundingBox())!;
      const box = (await frame.boundingBox())!;
      expect(box.width).toBeCloseTo(pic.width, 0);
      expect(box.height / box.width).toBeCloseTo(720 / 1280, 1);
      expect(box.y + box.height / 2).toBeCloseTo(pic.y + pic.height / 2, 0);
      if (SHOTS) {
        await page.locator('form[data-upload-form]').scrollIntoViewIfNeeded();
        await page.locator('form[data-upload-form]').screenshot({ path: `${SHOTS}/phone-preview.png` });
      }
    } finally {
      await context.close();
    }
  }, 120_000);
});
