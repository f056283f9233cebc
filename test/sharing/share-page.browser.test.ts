import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { createProject, createUser } from '../factories.js';
import { attachMusic, insertReadyClips } from '../factories/media.js';
import { shareProject } from '../../src/sharing/service.js';
import { POSTER_MAX_BYTES } from '../../src/sharing/poster.js';
import { useBrowserApp, useScreenshotsDir } from '../setup/pages.js';

// Issue 31 item 3: the share page on a phone. The film fills the width, the title and "Make your
// own" are above the fold, and nothing but the poster (<= 100 KB) is downloaded before play:
// every request the page makes is counted, in bytes on the wire, from Chromium's own network log.

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 } };
const BUDGET_BYTES = 300 * 1024;
const SHOTS = useScreenshotsDir('SHARE_SCREENSHOTS', '.tmp/screenshots');

const app = useBrowserApp();
let token: string;
beforeAll(async () => {
  const user = await createUser(app.t.ctx.db);
  const project = await createProject(app.t.ctx.db, user.id, { title: 'Harbour at dusk' });
  const clips = await insertReadyClips(app.t.ctx, user.id, project.id, 3, { durationS: 2 });
  // A real photo's size: a 3000 x 1688 still full of detail (noise), over 2 MB as it was stored.
  const noise = Buffer.alloc(3000 * 1688 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const still = await sharp(noise, { raw: { width: 3000, height: 1688, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
  await app.t.ctx.storage.put(clips[0]!.image_key, still, 'image/jpeg');
  await attachMusic(app.t.ctx, user.id, project.id, { durationS: 6 });
  token = (await shareProject(app.t.ctx.db, user.id, project.id)).token;
}, 120_000);

interface Transfer {
  url: string;
  type: string;
  bytes: number;
}

/** Every request the page makes and the bytes each took on the wire (headers and body, as encoded). */
async function recordTransfers(page: Page): Promise<Transfer[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map<string, Transfer>();
  const done: Transfer[] = [];
  cdp.on('Network.requestWillBeSent', (e) => byId.set(e.requestId, { url: e.request.url, type: e.type ?? '', bytes: 0 }));
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (r) done.push({ ...r, bytes: e.encodedDataLength });
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = byId.get(e.requestId);
    if (r) done.push({ ...r, bytes: 0 });
  });
  return done;
}

const isMedia = (url: string) => /\/media\/(clips|music)\//.test(url);

describe('the share page on a phone', () => {
  it('downloads at most 300 KB before play: the page, its styles and scripts, and only the poster', async () => {
    const context = await app.browser.newContext(PHONE);
    const page = await context.newPage();
    try {
      const transfers = await recordTransfers(page);
      await page.goto(`${app.base}/s/${token}`, { waitUntil: 'load' });
      await page.waitForSelector('.player.is-ready');
      await page.waitForTimeout(1500); // anything lazy or preloaded would start by now
      const total = transfers.reduce((sum, r) => sum + r.bytes, 0);
      const poster = transfers.find((r) => r.url.endsWith(`/s/${token}/poster`));
      console.log(`share page before play: ${transfers.length} requests, ${total} bytes\n` + transfers.map((r) => `  ${r.bytes}\t${r.type}\t${r.url.replace(app.base, '').split('?')[0]}`).join('\n'));
      expect(poster, 'the poster is shown').toBeTruthy();
      expect(poster!.bytes).toBeLessThanOrEqual(POSTER_MAX_BYTES + 1024);
      expect(transfers.filter((r) => isMedia(r.url) || r.type === 'Media')).toEqual([]);
      expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
      expect(await page.$eval('video[data-video="0"]', (v) => (v as HTMLVideoElement).poster)).toContain('/poster');

      // The film fills the width; the title and "Make your own" are above the fold.
      const film = (await page.locator('[data-player]').boundingBox())!;
      expect(film.x).toBe(0);
      expect(film.width).toBeGreaterThanOrEqual(389);
      expect(film.height).toBeCloseTo((390 * 9) / 16, -1);
      for (const sel of ['h1.film-title', 'a.film-cta']) {
        const box = (await page.locator(sel).boundingBox())!;
        expect(box.y + box.height, sel).toBeLessThanOrEqual(844);
        expect(await page.locator(sel).isVisible(), sel).toBe(true);
      }
      expect(await page.locator('a.film-cta').textContent()).toContain('Make your own');
      // Picture-in-picture and casting are allowed on the public player.
      const blocked = await page.$$eval('video', (vs) => vs.filter((v) => v.hasAttribute('disablepictureinpicture') || v.hasAttribute('disableremoteplayback')).length);
      expect(blocked).toBe(0);
      await page.screenshot({ path: `${SHOTS}/share-phone.png` });

      // Play: now the clips (and the music) are fetched.
      await page.click('.player-bigplay');
      await page.waitForFunction(() => (window as unknown as { __echoesPlayer: { state(): { time: number } } }).__echoesPlayer.state().time > 0.3, undefined, { timeout: 20_000 });
      expect(transfers.some((r) => /\/media\/clips\//.test(r.url))).toBe(true);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('looks right on a desktop too', async () => {
    const context = await app.browser.newContext(DESKTOP);
    const page = await context.newPage();
    try {
      await page.goto(`${app.base}/s/${token}`, { waitUntil: 'load' });
      await page.waitForSelector('.player.is-ready');
      const film = (await page.locator('[data-player]').boundingBox())!;
      const cta = (await page.locator('a.film-cta').boundingBox())!;
      expect(film.width).toBeGreaterThan(1000);
      expect(cta.y + cta.height).toBeLessThanOrEqual(900);
      await page.screenshot({ path: `${SHOTS}/share-desktop.png` });
    } finally {
      await context.close();
    }
  }, 60_000);
});
