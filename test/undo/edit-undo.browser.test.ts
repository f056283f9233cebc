import { describe, expect, it } from 'vitest';
import type { BrowserContextOptions, CDPSession, Page } from 'playwright-core';
import { expectAxeClean, openProjectPage, pageErrors, useBrowserApp, useScreenshotsDir } from '../setup/pages.js';
import { createProject, createUser } from '../factories.js';
import { insertReadyClips, makeTestClip } from '../factories/media.js';
import { addTake } from '../factories/takes.js';

// Issue 30's "done when", in a real browser at desktop and phone size: clips reordered on the cards
// by real touch events (CDP Input.dispatchTouchEvent: touchStart, touchMove, touchEnd, the page
// scrolling by itself while the finger waits near the bottom edge) and by the keyboard, and the
// Undo toast taking back each edit the design lists: reorder, delete, trim, transition, take chosen
// and a moved crop. Axe clean with the toast up.
const SHOTS = useScreenshotsDir('UNDO_SCREENSHOTS', '.tmp/undo-shots');
const SIZES: Record<string, BrowserContextOptions> = {
  // A touch screen laptop: the same touch path as a phone, in the multi-column grid.
  desktop: { viewport: { width: 1280, height: 800 }, hasTouch: true },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

const app = useBrowserApp({ ACTIVE_AI_PROVIDER: 'local' });

const db = () => app.t.ctx.db;
const order = async (projectId: string) => (await db().selectFrom('clips').select('id').where('project_id', '=', projectId).orderBy('position').orderBy('created_at').execute()).map((c) => c.id);
const clipRow = (id: string) => db().selectFrom('clips').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const cardOrder = (page: Page) => page.$$eval('#clip-grid .clip-card[data-clip-id]', (els) => els.map((e) => e.getAttribute('data-clip-id')!));

/** The toast says what was done; Undo (a tap on a phone) puts it back and the page, reloaded, says so. */
async function undoFromToast(page: Page, label: string, touch: boolean) {
  const toast = page.locator('[data-undo-toast]');
  await expect.poll(async () => (await toast.isVisible()) && (await toast.locator('[data-undo-text]').textContent()), { timeout: 15_000 }).toBe(label);
  const button = toast.locator('[data-undo-button]');
  await Promise.all([page.waitForEvent('load', { timeout: 15_000 }), touch ? button.tap() : button.click()]);
  await expect.poll(() => page.locator('[data-undo-toast] [data-undo-text]').textContent(), { timeout: 10_000 }).toBe(`Undone: ${label.toLowerCase()}.`);
}

/** A finger on `from`, moved to `to` in steps, then held there for `holdMs` (moving a pixel now and then, as fingers do). */
async function touchDrag(cdp: CDPSession, from: { x: number; y: number }, to: { x: number; y: number }, holdMs: number) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x, y: from.y, id: 1 }] });
  const steps = 12;
  for (let i = 1; i <= steps; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: p.x, y: p.y, id: 1 }] });
    await new Promise((r) => setTimeout(r, 30));
  }
  for (let held = 0; held < holdMs; held += 100) {
    await new Promise((r) => setTimeout(r, 100));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: to.x, y: to.y + ((held / 100) % 2), id: 1 }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

describe('editing the film and undoing it, in a real browser', () => {
  for (const [size, options] of Object.entries(SIZES)) {
    it(`${size}: reorder by touch (with auto-scroll) and by keys; Undo after reorder, delete, trim, transition, take chosen and crop; axe clean`, async () => {
      const phone = size === 'phone';
      const user = await createUser(db(), { email: `undo-${size}@example.com`, credits: 5 });
      const project = await createProject(db(), user.id, { title: `Undo ${size}` });
      await db().updateTable('projects').set({ ratio: '1280:720' }).where('id', '=', project.id).execute();
      const clips = await insertReadyClips(app.t.ctx, user.id, project.id, 8, { durationS: 3, width: 160, height: 90 });
      const ids = clips.map((c) => c.id);
      const second = await addTake(db(), app.t.ctx.storage, clips[0]!, { attempt: 2, prompt: 'the camera pushes in', video: await makeTestClip({ color: '#ffffff', label: 'B', durationS: 3, width: 160, height: 90 }) });

      const context = await app.browser.newContext(options);
      const page = await context.newPage();
      const errors = pageErrors(page);
      page.on('dialog', (d) => void d.accept());
      await openProjectPage(page, app.base, user.email, project.id);
      await page.waitForSelector('#timeline[data-ready] [data-timeline]');

      // ---- Touch: the first card's handle, dragged to the bottom edge and held there: the page scrolls
      // by itself and the card follows the finger down the grid.
      const cdp = await context.newCDPSession(page);
      const handle = page.locator(`#clip-${ids[0]} .clip-handle`);
      await handle.scrollIntoViewIfNeeded();
      await page.evaluate(() => window.scrollTo(0, Math.max(0, (document.querySelector('#clip-grid') as HTMLElement).getBoundingClientRect().top + window.scrollY - 80)));
      const box = (await handle.boundingBox())!;
      const scrollBefore = await page.evaluate(() => window.scrollY);
      const h = options.viewport!.height;
      await touchDrag(cdp, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, { x: box.x + box.width / 2, y: h - 12 }, 1500);
      await page.screenshot({ path: `${SHOTS}/${size}-touch-released.png` });
      const scrolled = (await page.evaluate(() => window.scrollY)) - scrollBefore;
      expect(scrolled).toBeGreaterThan(100);
      await expect.poll(() => order(project.id), { timeout: 15_000 }).not.toEqual(ids);
      const touched = await order(project.id);
      expect(await cardOrder(page)).toEqual(touched);
      // Far past its old neighbours: it went further down than the screen it started on showed.
      expect(touched.indexOf(ids[0]!)).toBeGreaterThanOrEqual(phone ? 2 : 3);
      expect([...touched].sort()).toEqual([...ids].sort());
      await page.screenshot({ path: `${SHOTS}/${size}-after-touch.png` });
      await undoFromToast(page, 'Clips reordered', phone);
      expect(await order(project.id)).toEqual(ids);
      expect(await cardOrder(page)).toEqual(ids);

      // ---- The keyboard: the second card's handle, ↓ once.
      await page.locator(`#clip-${ids[1]} .clip-handle`).focus();
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => order(project.id), { timeout: 15_000 }).toEqual([ids[0], ids[2], ids[1], ...ids.slice(3)]);
      // The move is pushed back as new cards; the focus ends on the moved card's handle again.
      await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('clip-handle') ?? false), { timeout: 5000 }).toBe(true);
      await undoFromToast(page, 'Clips reordered', phone);
      expect(await order(project.id)).toEqual(ids);

      // ---- Delete, then Undo: the card comes back in its place.
      await page.locator(`#clip-${ids[2]} .clip-delete`).click();
      await page.waitForSelector(`#clip-${ids[2]}`, { state: 'detached', timeout: 15_000 });
      await page.locator('[data-undo-toast]').waitFor({ state: 'visible', timeout: 15_000 });
      await page.screenshot({ path: `${SHOTS}/${size}-toast.png` });
      // The toast (up for 10 s) is checked while it is up; the whole page once all is undone.
      await expectAxeClean(page, '[data-undo-toast]');
      await undoFromToast(page, 'Clip deleted', phone);
      expect(await cardOrder(page)).toEqual(ids);
      expect(await order(project.id)).toEqual(ids);

      // ---- Trim on the timeline (typed), then Undo.
      await page.locator(`.tl-block[data-clip-id="${ids[3]}"] [data-tl-select]`).click();
      const panel = page.locator(`#tl-clip-${ids[3]}`);
      await panel.locator('.tl-trim-form input[name=in_s]').fill('0.5');
      await panel.locator('.tl-trim-form input[name=out_s]').fill('2');
      await panel.locator('button[type=submit]', { hasText: 'Trim' }).click();
      await expect.poll(async () => (await clipRow(ids[3]!)).trim_out_s, { timeout: 15_000 }).toBe(2);
      await undoFromToast(page, 'Clip trimmed', phone);
      expect(await clipRow(ids[3]!)).toMatchObject({ trim_in_s: 0, trim_out_s: null });

      // ---- The transition out of the first clip: dip to black over 2 beats, then Undo.
      const card = page.locator(`#clip-${ids[0]}`);
      await card.locator('.clip-transition summary').click();
      await card.locator('.clip-transition-form select[name=kind]').selectOption('dip');
      await card.locator('.clip-transition-form input[name=amount]').fill('0.5');
      await card.locator('.clip-transition-form select[name=unit]').selectOption('s');
      await card.locator('.clip-transition-form button[type=submit]').click();
      await expect.poll(async () => (await clipRow(ids[0]!)).transition_kind, { timeout: 15_000 }).toBe('dip');
      await undoFromToast(page, 'Transition changed', phone);
      expect(await clipRow(ids[0]!)).toMatchObject({ transition_kind: 'crossfade', transition_s: null });

      // ---- Another take chosen in the takes dialog, then Undo.
      await page.locator(`#clip-${ids[0]} [data-takes-open]`).click();
      const dialog = page.locator('dialog#takes-dialog');
      await dialog.locator(`[data-take-id="${second.id}"] [data-take-select]`).click();
      await expect.poll(async () => (await clipRow(ids[0]!)).take_id, { timeout: 15_000 }).toBe(second.id);
      await page.keyboard.press('Escape');
      await undoFromToast(page, 'Take chosen', phone);
      expect((await clipRow(ids[0]!)).take_id).toBe(clips[0]!.take_id);

      // ---- The crop moved left, then Undo: the old image and focal point are back.
      const cropCard = page.locator(`#clip-${ids[4]}`);
      await cropCard.locator('.clip-focus summary').click();
      await cropCard.locator('[data-focus-move="left"]').click();
      await expect.poll(async () => (await clipRow(ids[4]!)).focus_x, { timeout: 15_000 }).toBeCloseTo(0.4, 5);
      await undoFromToast(page, 'Crop moved', phone);
      expect(await clipRow(ids[4]!)).toMatchObject({ focus_x: 0.5, image_key: clips[4]!.image_key });

      // Nothing left to undo: the page's Undo button is gone.
      expect(await page.locator('[data-undo-form]').count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}/${size}-end.png`, fullPage: true });
      await expectAxeClean(page);
      expect(errors).toEqual([]);
      await context.close();
    }, 240_000);
  }
});
