import { describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { signInThroughForm } from '../setup/chromium.js';
import { insertClip } from '../factories/media.js';
import { createUser } from '../factories.js';
import { boxOf, expectAxeClean, useBrowserApp, useScreenshotsDir } from '../setup/pages.js';

// Issue 30, item 4 on the timeline: a block dragged by the mouse, by a finger (real touch events:
// a long press, then the move, the timeline scrolling by itself near its edge) and moved by the arrow
// keys changes the film's order. A clip that is not in the film (not approved) keeps its place among
// the cards. The order is saved once, through the cards' route, and offers Undo. Desktop and phone.
const SHOTS = useScreenshotsDir('TIMELINE_SCREENSHOTS', '.tmp/timeline-shots');
const SIZES: Record<string, BrowserContextOptions> = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

const app = useBrowserApp();

const db = () => app.t.ctx.db;
const order = async (projectId: string) =>
  (await db().selectFrom('clips').select('id').where('project_id', '=', projectId).orderBy('position').orderBy('created_at').execute()).map((c) => c.id);
const blockOrder = (page: Page) => page.$$eval('[data-timeline] .tl-block[data-clip-id]', (els) => els.map((e) => e.getAttribute('data-clip-id')!));

/** Five clips, the middle one left out of the film: the film is a, b, d, e. */
async function world(email: string) {
  const w = app.t.ctx;
  const user = await createUser(w.db, { email });
  const projectId = (await w.db.insertInto('projects').values({ user_id: user.id, title: 'Reorder', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow()).id;
  const ids: string[] = [];
  for (const [i, d] of [3, 3, 3, 3, 3].entries()) ids.push((await insertClip(w, { userId: user.id, projectId, position: i, durationS: d, approved: i !== 2 })).id);
  return { projectId, ids };
}

async function open(size: string, email: string) {
  const context = await app.browser.newContext(SIZES[size]!);
  const page = await context.newPage();
  await signInThroughForm(page, app.base, email);
  return { context, page };
}

async function toast(page: Page, label: string) {
  await expect.poll(async () => (await page.locator('[data-undo-toast]').isVisible()) && (await page.locator('[data-undo-toast] [data-undo-text]').textContent()), { timeout: 15_000 }).toBe(label);
}

describe('reordering the film on the timeline', () => {
  it('at desktop size: by mouse and by the arrow keys; the clip outside the film keeps its place; Undo offered; axe clean', async () => {
    const email = 'tl-reorder-desktop@example.com';
    const { projectId, ids } = await world(email);
    const [a, b, c, d, e] = ids as [string, string, string, string, string];
    const { context, page } = await open('desktop', email);
    await page.goto(`${app.base}/projects/${projectId}`);
    await page.waitForSelector('#timeline[data-ready] [data-timeline]');
    expect(await blockOrder(page)).toEqual([a, b, d, e]);

    // The mouse: the first block dragged past the third one's middle.
    const from = await boxOf(page.locator(`.tl-block[data-clip-id="${a}"] [data-tl-select]`));
    const past = await boxOf(page.locator(`.tl-block[data-clip-id="${d}"]`));
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(past.x + past.width * 0.75, from.y + from.height / 2, { steps: 8 });
    await page.screenshot({ path: `${SHOTS}/reorder-desktop-dragging.png` });
    await page.mouse.up();
    // The film's clips take the film's places among the cards; c, outside the film, stays third.
    await expect.poll(() => order(projectId), { timeout: 15_000 }).toEqual([b, d, c, a, e]);
    await expect.poll(() => blockOrder(page), { timeout: 15_000 }).toEqual([b, d, a, e]);
    // The cards follow at once, in the same order.
    expect(await page.$$eval('#clip-grid .clip-card[data-clip-id]', (els) => els.map((el) => el.getAttribute('data-clip-id')))).toEqual([b, d, c, a, e]);
    await toast(page, 'Clips reordered');

    // The keyboard: ← on the last block's body moves it one place earlier; the focus stays on it.
    await page.locator(`.tl-block[data-clip-id="${e}"] [data-tl-select]`).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => order(projectId), { timeout: 15_000 }).toEqual([b, d, c, e, a]);
    await expect.poll(() => blockOrder(page), { timeout: 15_000 }).toEqual([b, d, e, a]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.tl-block')?.getAttribute('data-clip-id'))).toBe(e);
    await expect.poll(() => page.locator('#timeline-notice').textContent()).toContain('place 3 of 4');
    // The first one cannot go further: it says so, nothing is saved.
    await page.locator(`.tl-block[data-clip-id="${b}"] [data-tl-select]`).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('#timeline-notice').textContent()).toContain('already first');
    expect(await order(projectId)).toEqual([b, d, c, e, a]);

    // A click still selects a block (a click is not a move).
    await page.locator(`.tl-block[data-clip-id="${d}"] [data-tl-select]`).click();
    await expect.poll(() => page.locator(`#tl-clip-${d}`).isVisible()).toBe(true);
    expect(await order(projectId)).toEqual([b, d, c, e, a]);

    await expectAxeClean(page, '#timeline');
    await page.screenshot({ path: `${SHOTS}/reorder-desktop-after.png`, fullPage: true });
    await context.close();
  }, 180_000);

  it('at phone size: a long press then a real touch drag moves a block, the timeline scrolling by itself; a plain swipe only scrolls', async () => {
    const email = 'tl-reorder-phone@example.com';
    const { projectId, ids } = await world(email);
    const [a, b, c, d, e] = ids as [string, string, string, string, string];
    const { context, page } = await open('phone', email);
    await page.goto(`${app.base}/projects/${projectId}`);
    await page.waitForSelector('#timeline[data-ready] [data-timeline]');
    // Zoomed in, so the film is wider than the screen and the far blocks are out of view.
    for (let i = 0; i < 4; i++) await page.locator('[data-tl-zoom="in"]').tap();
    // By script: a live refresh may swap the timeline in the middle of a locator's scroll.
    await page.evaluate(() => document.getElementById('timeline')?.scrollIntoView({ block: 'nearest' }));
    const scroller = page.locator('[data-tl-scroll]');
    await page.evaluate(() => { (document.querySelector('[data-tl-scroll]') as HTMLElement).scrollLeft = 0; });
    const box = await boxOf(scroller);
    const first = await boxOf(page.locator(`.tl-block[data-clip-id="${a}"] [data-tl-select]`));
    const cdp = await context.newCDPSession(page);
    const at = { x: first.x + Math.min(first.width / 2, 30), y: first.y + first.height / 2 };
    const touch = (type: string, p?: { x: number; y: number }) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: p.x, y: p.y, id: 1 }] : [] } as never);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    // A swipe without the long press scrolls the timeline and moves nothing.
    await touch('touchStart', at);
    for (let i = 1; i <= 8; i++) {
      await touch('touchMove', { x: at.x - i * 15, y: at.y });
      await sleep(16);
    }
    await touch('touchEnd');
    await sleep(300);
    expect(await order(projectId)).toEqual([a, b, c, d, e]);
    await page.evaluate(() => { (document.querySelector('[data-tl-scroll]') as HTMLElement).scrollLeft = 0; });
    await sleep(100);

    // A long press, then the finger to the right edge of the timeline, held there while it scrolls.
    await touch('touchStart', at);
    await sleep(600);
    const edge = { x: box.x + box.width - 10, y: at.y };
    for (let i = 1; i <= 10; i++) {
      await touch('touchMove', { x: at.x + ((edge.x - at.x) * i) / 10, y: at.y });
      await sleep(30);
    }
    const scrolledBefore = await page.$eval('[data-tl-scroll]', (el) => el.scrollLeft);
    for (let held = 0; held < 2500; held += 100) {
      await sleep(100);
      await touch('touchMove', { x: edge.x - ((held / 100) % 2), y: edge.y });
    }
    const scrolledAfter = await page.$eval('[data-tl-scroll]', (el) => el.scrollLeft);
    await page.screenshot({ path: `${SHOTS}/reorder-phone-dragging.png` });
    expect(scrolledAfter).toBeGreaterThan(scrolledBefore + 100);
    await touch('touchEnd');
    // Dropped at the end of the film: a is last; c, outside the film, keeps its third place among the cards.
    await expect.poll(() => order(projectId), { timeout: 15_000 }).toEqual([b, d, c, e, a]);
    await expect.poll(() => blockOrder(page), { timeout: 15_000 }).toEqual([b, d, e, a]);
    await toast(page, 'Clips reordered');
    await page.screenshot({ path: `${SHOTS}/reorder-phone-after.png`, fullPage: true });
    await context.close();
  }, 180_000);
});
