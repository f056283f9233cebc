import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServedApp } from '../setup/pages.js';
import { attachMusic, insertReadyClips } from '../factories/media.js';
import { launchChromium, runFilmScenario, signInThroughForm } from './film-scenario.js';

const app = useServedApp();

/** Signs `email` in, makes a project of three ready clips and a song, and opens its player once it can play. */
async function openPlayer(page: Page, email: string, title: string, clipS: number, musicS: number) {
  await signInThroughForm(page, app.base, email);
  const user = await app.t.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  const project = await app.t.ctx.db.insertInto('projects').values({ user_id: user.id, title, ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
  await insertReadyClips(app.t.ctx, user.id, project.id, 3, { durationS: clipS });
  await attachMusic(app.t.ctx, user.id, project.id, { durationS: musicS });
  await page.goto(`${app.base}/projects/${project.id}/play`);
  await page.waitForFunction(() => Boolean((window as any).__echoesPlayer) && document.querySelector('audio')!.readyState >= 2, undefined, { polling: 100 });
  return project;
}

describe('the player in a real browser', () => {
  it('plays three clips in order as one film with music, to the end, and records the hand-over gaps', async () => {
    const r = await runFilmScenario({ baseUrl: app.base, world: app.t.ctx, clips: 3, clipSeconds: 2 });
    expect(r.pageIds).toEqual(r.expectedIds);
    expect(r.firstFrameOrder).toEqual([0, 1, 2]);
    expect(r.colours).toEqual(['red', 'green', 'blue']);
    expect(r.music).not.toBeNull();
    expect(r.music!.paused).toBe(false);
    expect(r.music!.at2).toBeGreaterThan(r.music!.at1);
    expect(r.ended).toBe(true);
    expect(r.music!.endPaused).toBe(true);
    expect(r.transitions).toHaveLength(2);
    // Gaps are a benchmark figure (bench/player-gap.ts); here only a stall a person would see fails.
    expect(r.worstGapMs).toBeLessThan(250);
  }, 45_000);

  it('pauses both, seeks over the whole film with the music, and answers keys, clicks and the clip list', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
      await openPlayer(page, 'controls@example.com', 'Controls', 2, 9);
      const state = () => page.evaluate('window.__echoesPlayer.state()') as Promise<{ index: number; playing: boolean; time: number; total: number; musicTime: number; musicPaused: boolean }>;
      const until = (fn: () => boolean) => page.waitForFunction(fn, undefined, { polling: 50, timeout: 5000 });
      const media = () => page.evaluate('[...document.querySelectorAll("video, audio")].map((m) => m.paused)') as Promise<boolean[]>;

      // The crossfade in the CSS is the playlist's, not a number of its own.
      expect(await page.evaluate('getComputedStyle(document.querySelector(".player-video.is-live")).transitionDuration')).toBe('0.3s');
      await page.keyboard.press('Space');
      await until(() => (window as any).__echoesPlayer.state().time > 0.3);
      expect((await state()).musicPaused).toBe(false);
      await page.keyboard.press('Space');
      expect(await media()).toEqual([true, true, true]);
      expect((await state()).playing).toBe(false);

      // Seek into the third clip: the film and the music land on the same global time.
      await page.evaluate('window.__echoesPlayer.seek(4.0)');
      await until(() => (window as any).__echoesPlayer.state().index === 2);
      let s = await state();
      expect(s.time).toBeCloseTo(4.0, 1);
      expect(s.musicTime).toBeCloseTo(4.0, 1);
      expect(await page.getAttribute('.reel-item.is-current', 'data-index')).toBe('2');

      // ← early in a clip goes to the previous one, → to the next; later in a clip ← restarts it.
      await page.keyboard.press('ArrowLeft');
      await until(() => (window as any).__echoesPlayer.state().index === 1);
      await page.keyboard.press('ArrowRight');
      await until(() => (window as any).__echoesPlayer.state().index === 2);
      await page.evaluate('window.__echoesPlayer.seek(5.1)');
      await until(() => (window as any).__echoesPlayer.state().time > 5);
      await page.keyboard.press('ArrowLeft');
      await until(() => Math.abs((window as any).__echoesPlayer.state().time - 3.4) < 0.1);
      expect((await state()).index).toBe(2);

      // A click on the progress bar seeks there; a click in the clip list jumps and plays.
      const bar = (await page.locator('[data-progress]').boundingBox())!;
      await page.mouse.click(bar.x + bar.width * 0.1, bar.y + bar.height / 2);
      await until(() => (window as any).__echoesPlayer.state().index === 0);
      s = await state();
      expect(s.time).toBeCloseTo(s.total * 0.1, 0);
      await page.click('.reel-item[data-index="1"] a');
      await until(() => (window as any).__echoesPlayer.state().index === 1 && (window as any).__echoesPlayer.state().playing);
      expect((await state()).musicPaused).toBe(false);
      await page.click('[data-action="mute"]');
      expect(await page.evaluate('document.querySelector("audio").muted')).toBe(true);
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('works on a phone: tap to play, swipe to the next clip, fits portrait and landscape', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
      const page = await context.newPage();
      await openPlayer(page, 'phone@example.com', 'On the bus', 4, 12);
      const state = () => page.evaluate('window.__echoesPlayer.state()') as Promise<{ index: number; playing: boolean }>;
      const fits = () => page.evaluate(() => {
        const video = document.querySelector('video')!.getBoundingClientRect();
        return { overflowX: document.documentElement.scrollWidth > window.innerWidth, videoInside: video.left >= -1 && video.right <= window.innerWidth + 1 && video.width > 100 };
      });

      // Tap the picture: the first tap may only bring up the controls, the next plays.
      const box = (await page.locator('video').first().boundingBox())!;
      const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      for (let i = 0; i < 2 && !(await state()).playing; i++) {
        await page.touchscreen.tap(centre.x, centre.y);
        await page.waitForTimeout(300);
      }
      expect((await state()).playing).toBe(true);
      expect((await state()).index).toBe(0);

      // Swipe left across the picture: the next clip.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: centre.x + 120, y: centre.y }] });
      for (let step = 1; step <= 5; step++) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: centre.x + 120 - step * 50, y: centre.y }] });
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await page.waitForFunction(() => (window as any).__echoesPlayer.state().index === 1, undefined, { polling: 50, timeout: 5000 });

      expect(await fits()).toEqual({ overflowX: false, videoInside: true });
      await page.screenshot({ path: '.tmp/player-phone-portrait.png' });
      await page.setViewportSize({ width: 844, height: 390 });
      await page.waitForTimeout(300);
      expect(await fits()).toEqual({ overflowX: false, videoInside: true });
      const landscape = (await page.locator('video').first().boundingBox())!;
      expect(landscape.y + landscape.height).toBeLessThanOrEqual(390 + 1);
      await page.screenshot({ path: '.tmp/player-phone-landscape.png' });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
