import { beforeAll, describe, expect, it } from 'vitest';
import { signInThroughForm } from '../setup/chromium.js';
import { attachMusic, insertClip } from '../factories/media.js';
import { createUser } from '../factories.js';
import { loadFilm } from '../../src/film/service.js';
import { useBrowserApp } from '../setup/pages.js';

// The player honours a clip's trim in a real browser: a clip trimmed to [1, 2.2] of its 3 s take is
// played from 1 s (never its first second), for its planned length, and a seek into it lands at
// in point + the time into the clip.
const app = useBrowserApp();
let projectId: string;
let clipIds: string[];

beforeAll(async () => {
  const w = app.t.ctx;
  const user = await createUser(w.db, { email: 'trim-player@example.com' });
  projectId = (await w.db.insertInto('projects').values({ user_id: user.id, title: 'Trim player', ratio: '1280:720', cut_on_beat: false }).returning('id').executeTakeFirstOrThrow()).id;
  clipIds = [];
  for (const [i, d] of [2, 3, 2].entries()) clipIds.push((await insertClip(w, { userId: user.id, projectId, position: i, durationS: d })).id);
  await w.db.updateTable('clips').set({ trim_in_s: 1, trim_out_s: 2.2 }).where('id', '=', clipIds[1]!).execute();
  await attachMusic(w, user.id, projectId, { durationS: 8 });
}, 120_000);

describe('the player with a trimmed clip', () => {
  it('plays the trimmed clip from its in point for its planned length, and seeks within it', async () => {
    const project = await app.t.ctx.db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirstOrThrow();
    const film = await loadFilm(app.t.ctx, project);
    const seg = film.plan.segments[1]!;
    expect(seg).toMatchObject({ inS: 1, outS: 1.2 });

    const page = await app.browser.newPage({ viewport: { width: 960, height: 640 } });
    await signInThroughForm(page, app.base, 'trim-player@example.com');
    await page.goto(`${app.base}/projects/${projectId}/play`);
    await page.waitForFunction(() => Boolean((window as any).__echoesPlayer) && document.querySelector('audio')!.readyState >= 2, undefined, { polling: 100, timeout: 20_000 });
    // Every animation frame: which clip is on top and where its video is.
    await page.evaluate(() => {
      const seen: Array<{ index: number; t: number }> = [];
      (window as any).__seen = seen;
      const loop = () => {
        const s = (window as any).__echoesPlayer.state();
        const live = document.querySelector('.player-video.is-live') as HTMLVideoElement | null;
        if (s.playing && live && !live.paused) seen.push({ index: s.index, t: live.currentTime });
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    await page.evaluate('window.__echoesPlayer.play()');
    await page.waitForFunction(() => (window as any).__echoesPlayer.state().ended, undefined, { timeout: 30_000, polling: 100 });
    const seen = (await page.evaluate('window.__seen')) as Array<{ index: number; t: number }>;
    const second = seen.filter((s) => s.index === 1);
    expect(second.length).toBeGreaterThan(5);
    // From the in point (a frame's leeway), never its first second; and not past in + out.
    expect(Math.min(...second.map((s) => s.t))).toBeGreaterThanOrEqual(1 - 0.05);
    expect(Math.max(...second.map((s) => s.t))).toBeLessThanOrEqual(2.2 + 0.1);
    expect(new Set(seen.map((s) => s.index))).toEqual(new Set([0, 1, 2]));

    // A seek half a second into the trimmed clip puts its video at 1.5 s.
    await page.evaluate(`window.__echoesPlayer.seek(${seg.startS + 0.5})`);
    await page.waitForFunction(() => (window as any).__echoesPlayer.state().index === 1, undefined, { timeout: 10_000, polling: 50 });
    await expect.poll(() => page.evaluate(() => (document.querySelector('.player-video.is-live') as HTMLVideoElement).currentTime), { timeout: 10_000 }).toBeCloseTo(1.5, 1);
    const state = (await page.evaluate('window.__echoesPlayer.state()')) as { time: number };
    expect(state.time).toBeCloseTo(seg.startS + 0.5, 1);
  }, 120_000);
});
