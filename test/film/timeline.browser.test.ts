import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInThroughForm } from '../setup/chromium.js';
import { attachMusic, insertClip } from '../factories/media.js';
import { loadFilm } from '../../src/film/service.js';
import { createUser } from '../factories.js';
import { boxOf, expectAxeClean, useBrowserApp, useScreenshotsDir } from '../setup/pages.js';

// The timeline on the project page in a real browser, at desktop and phone size: blocks where the
// film plan puts them, trimming by dragging an edge, by the keyboard and by typing, the playhead
// following the music, zoom and sideways scroll on a phone, and a second tab kept up to date live.
const SHOTS = useScreenshotsDir('TIMELINE_SCREENSHOTS', '.tmp/timeline-shots');

const app = useBrowserApp();
let projectId: string;
let userId: string;
let clipIds: string[];

const project = () => app.t.ctx.db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirstOrThrow();
const trimOf = (id: string) => app.t.ctx.db.selectFrom('clips').select(['trim_in_s', 'trim_out_s']).where('id', '=', id).executeTakeFirstOrThrow();
const blocks = (page: Page) =>
  page.$$eval('[data-timeline] [data-clip-id]', (els) =>
    els.map((e) => ({ id: e.getAttribute('data-clip-id')!, startS: Number(e.getAttribute('data-start-s')), endS: Number(e.getAttribute('data-out-s')), left: (e as HTMLElement).offsetLeft, width: (e as HTMLElement).offsetWidth })));

async function expectPlanOnPage(page: Page) {
  const film = await loadFilm(app.t.ctx, await project());
  await expect.poll(async () => (await blocks(page)).map(({ id, startS, endS }) => ({ id, startS, endS })), { timeout: 15_000 }).toEqual(
    film.plan.segments.map((s) => ({ id: s.clipId, startS: s.startS, endS: s.endS })),
  );
  return film;
}

beforeAll(async () => {
  const w = app.t.ctx;
  const user = await createUser(w.db, { email: 'timeline@example.com' });
  userId = user.id;
  projectId = (await w.db.insertInto('projects').values({ user_id: userId, title: 'Timeline', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow()).id;
  clipIds = [];
  for (const [i, d] of [5, 3, 3, 4].entries()) clipIds.push((await insertClip(w, { userId, projectId, position: i, durationS: d })).id);
  const musicKey = await attachMusic(w, userId, projectId, { durationS: 16 });
  const beats = Array.from({ length: 32 }, (_, i) => i * 0.5);
  await w.db
    .insertInto('music_analyses')
    .values({ project_id: projectId, music_key: musicKey, status: 'ready', tempo_bpm: 120, beats: JSON.stringify(beats), downbeats: JSON.stringify(beats.filter((_, i) => i % 4 === 0)), waveform: JSON.stringify(Array.from({ length: 160 }, (_, i) => 0.3 + 0.7 * Math.abs(Math.sin(i / 3)))), duration_s: 16 })
    .execute();
}, 120_000);

describe('the timeline in a real browser', () => {
  it('at desktop size: blocks at the plan’s places, trim by dragging, by keys and by typing, a playhead, live in a second tab, axe clean', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signInThroughForm(page, app.base, 'timeline@example.com');
    await page.goto(`${app.base}/projects/${projectId}`);
    await page.waitForSelector('#timeline[data-ready] [data-timeline]');
    let film = await expectPlanOnPage(page);
    // Laid out to scale: each block's left and width are its start and length at one scale.
    const placed = await blocks(page);
    const pps = placed[1]!.left / placed[1]!.startS;
    placed.forEach((b) => {
      expect(Math.abs(b.left - b.startS * pps)).toBeLessThan(2);
      expect(Math.abs(b.width - (b.endS - b.startS) * pps)).toBeLessThan(2);
    });
    await page.screenshot({ path: `${SHOTS}/desktop-before.png`, fullPage: true });

    await expectAxeClean(page, '#timeline');

    // Nothing the timeline does is refused by the page's CSP (htmx's settle step once copied style attributes).
    const cspRefusals: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspRefusals.push(m.text()); });
    // A second tab on the same project follows every trim without a reload.
    const other = await context.newPage();
    await other.goto(`${app.base}/projects/${projectId}`);
    await other.waitForSelector('#timeline[data-ready] [data-timeline]');
    await other.waitForFunction(() => document.querySelector('#live') !== null);

    // Drag the second clip's out edge left by about a second: it snaps so its cut lands on a beat.
    const second = page.locator(`.tl-block[data-clip-id="${clipIds[1]}"]`);
    const edge = await boxOf(second.locator('[data-edge="out"]'));
    await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
    await page.mouse.down();
    await page.mouse.move(edge.x + edge.width / 2 - pps * 0.5, edge.y + edge.height / 2, { steps: 4 });
    await page.mouse.move(edge.x + edge.width / 2 - pps * 1.05, edge.y + edge.height / 2, { steps: 4 });
    await page.screenshot({ path: `${SHOTS}/desktop-dragging.png` });
    await page.mouse.up();
    await expect.poll(async () => (await trimOf(clipIds[1]!)).trim_out_s, { timeout: 15_000 }).not.toBeNull();
    film = await expectPlanOnPage(page);
    const seg = film.plan.segments[1]!;
    expect(seg.trimOutS).toBeLessThan(2.5);
    expect(seg.trimOutS).toBeGreaterThan(1.4);
    // Snapped: the cut is on a beat (every 0.5 s).
    expect(Math.abs(seg.cutS! * 2 - Math.round(seg.cutS! * 2))).toBeLessThan(1e-6);
    await expectPlanOnPage(other);
    // What it loses is spelt out in its panel.
    await expect.poll(() => page.locator(`#tl-clip-${clipIds[1]} [data-losses]`).textContent()).toContain('trimmed from the end');

    // The keyboard: the third clip's in point, → moves its cut to the previous beat (the clip gets shorter).
    const before3 = await trimOf(clipIds[2]!);
    await page.locator(`.tl-block[data-clip-id="${clipIds[2]}"] [data-edge="in"]`).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await trimOf(clipIds[2]!)).trim_in_s, { timeout: 15_000 }).toBeGreaterThan(before3.trim_in_s);
    await expectPlanOnPage(page);
    // The focus stays on the same handle after the refresh.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-edge'))).toBe('in');

    // Typing the points: select the first clip, type, press Trim.
    await page.locator(`.tl-block[data-clip-id="${clipIds[0]}"] [data-tl-select]`).click();
    const panel = page.locator(`#tl-clip-${clipIds[0]}`);
    await panel.locator('.tl-trim-form input[name=in_s]').fill('0.5');
    await panel.locator('.tl-trim-form input[name=out_s]').fill('4');
    // A refresh pushed while the points are typed keeps them, and the chosen clip's panel.
    await page.evaluate(() => {
      document.getElementById('timeline')!.setAttribute('data-old', '');
      document.body.dispatchEvent(new CustomEvent('live-film'));
    });
    await page.waitForSelector('#timeline[data-ready]:not([data-old])', { timeout: 15_000 });
    expect(await panel.isVisible()).toBe(true);
    expect([await panel.locator('input[name=in_s]').inputValue(), await panel.locator('input[name=out_s]').inputValue()]).toEqual(['0.5', '4']);
    await panel.locator('button[type=submit]', { hasText: 'Trim' }).click();
    await expect.poll(async () => await trimOf(clipIds[0]!), { timeout: 15_000 }).toEqual({ trim_in_s: 0.5, trim_out_s: 4 });
    await expectPlanOnPage(page);
    await expectPlanOnPage(other);

    // Bad input is refused with words, in place, and the timeline stays.
    await page.locator(`.tl-block[data-clip-id="${clipIds[0]}"] [data-tl-select]`).click();
    await panel.locator('.tl-trim-form input[name=in_s]').fill('3');
    await panel.locator('.tl-trim-form input[name=out_s]').fill('2');
    await panel.locator('button[type=submit]', { hasText: 'Trim' }).click();
    await expect.poll(() => page.locator('#timeline-notice').textContent()).toContain('in point must come before the out point');
    expect(await trimOf(clipIds[0]!)).toEqual({ trim_in_s: 0.5, trim_out_s: 4 });

    expect(cspRefusals).toEqual([]);

    // Play: the playhead follows the music.
    await page.locator('[data-tl-play]').click();
    await page.waitForFunction(() => ((window as any).__echoesTimeline.time() ?? 0) > 0.6, undefined, { timeout: 15_000 });
    const x = await page.$eval('[data-tl-playhead]', (el) => new DOMMatrix(getComputedStyle(el).transform).m41);
    expect(x).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/desktop-after.png`, fullPage: true });
    await page.locator('[data-tl-play]').click();
    await context.close();
  }, 180_000);

  it('at phone size: zooms, scrolls sideways, trims by typing, axe clean', async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signInThroughForm(page, app.base, 'timeline@example.com');
    await page.goto(`${app.base}/projects/${projectId}`);
    await page.waitForSelector('#timeline[data-ready] [data-timeline]');
    await expectPlanOnPage(page);
    // The page itself never scrolls sideways; the timeline does, once zoomed in.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/phone-fit.png`, fullPage: true });
    const widthAt = () => page.$eval('[data-timeline]', (el) => (el as HTMLElement).offsetWidth);
    const fit = await widthAt();
    await page.locator('[data-tl-zoom="in"]').tap();
    await page.locator('[data-tl-zoom="in"]').tap();
    expect(await widthAt()).toBeGreaterThan(fit * 2);
    const scroller = page.locator('[data-tl-scroll]');
    expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await scroller.evaluate((el) => { el.scrollLeft = 200; });
    await page.screenshot({ path: `${SHOTS}/phone-zoomed.png` });
    await page.locator(`.tl-block[data-clip-id="${clipIds[3]}"] [data-tl-select]`).tap();
    const panel = page.locator(`#tl-clip-${clipIds[3]}`);
    await panel.locator('.tl-trim-form input[name=in_s]').fill('1');
    await panel.locator('button[type=submit]', { hasText: 'Trim' }).tap();
    await expect.poll(async () => (await trimOf(clipIds[3]!)).trim_in_s, { timeout: 15_000 }).toBe(1);
    await expectPlanOnPage(page);
    // Zoom and the chosen clip survive the refresh.
    expect(await widthAt()).toBeGreaterThan(fit * 2);
    expect(await page.locator(`#tl-clip-${clipIds[3]}`).isVisible()).toBe(true);

    await expectAxeClean(page, '#timeline');
    await page.screenshot({ path: `${SHOTS}/phone-after.png`, fullPage: true });
    await context.close();
  }, 120_000);
});
