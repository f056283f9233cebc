import type { AppContext } from '../../src/platform/context.js';
import { launchChromium, signInThroughForm, type PlayerEvent } from '../player/film-scenario.js';
import { cutErrors, seedBeatProject, worstMs, writeDrift, type CutError } from './beat-scenario.js';

// The beat-synced film played end to end in headless Chromium: when each next clip's first frame is
// presented, on the music element's clock (public/js/player/record.js records it with every 'first-frame' event),
// against the plan's transition start (segments[i+1].startS: the player starts clip i+1's fade-in
// there, the export starts its xfade there).

export interface PlayerDrift {
  /** Clip indexes in the order their first frames were presented. */
  order: number[];
  errors: CutError[];
  worstMs: number;
  /** The first clip's first frame on the music clock (ideally 0). */
  startMs: number | null;
  ended: boolean;
  events: Array<PlayerEvent & { music?: number | null }>;
  plan: { startS: number[]; cutS: Array<number | null>; outS: number[] };
}

export async function runPlayerDrift(opts: { baseUrl: string; ctx: AppContext; email?: string; clipSeconds?: number[] }): Promise<PlayerDrift> {
  const email = opts.email ?? `beat-${Date.now()}@example.com`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 640 } });
    await signInThroughForm(page, opts.baseUrl, email);
    const user = await opts.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const { project, plan } = await seedBeatProject(opts.ctx, user.id, opts.clipSeconds);

    await page.goto(`${opts.baseUrl}/projects/${project.id}/play`);
    await page.waitForFunction(() => {
      const vs = [...document.querySelectorAll('video')] as HTMLVideoElement[];
      const a = document.querySelector('audio');
      return Boolean((window as any).__echoesPlayer) && vs.every((v) => v.readyState >= 3) && Boolean(a && a.readyState >= 3);
    }, undefined, { timeout: 10_000, polling: 100 });
    await page.click('.player-bigplay');
    await page.waitForFunction(() => (window as any).__echoesPlayer.state().ended, undefined, { timeout: plan.totalS * 1000 + 10_000, polling: 100 });
    const events = (await page.evaluate('window.__echoesPlayer.events')) as PlayerDrift['events'];

    const firsts = events.filter((e) => e.event === 'first-frame');
    const firstOf = (i: number) => firsts.find((e) => e.clipIndex === i);
    const segs = plan.segments;
    const errors = cutErrors(segs.slice(1).map((s) => s.startS), segs.slice(1).map((s) => firstOf(s.index)?.music ?? null));
    const start = firstOf(0)?.music;
    const result: PlayerDrift = {
      order: [...firsts].sort((a, b) => a.t - b.t).map((e) => e.clipIndex),
      errors,
      worstMs: worstMs(errors),
      startMs: start == null ? null : Math.round(start * 1000),
      ended: events.some((e) => e.event === 'ended'),
      events,
      plan: { startS: segs.map((s) => s.startS), cutS: segs.map((s) => s.cutS), outS: segs.map((s) => s.outS) },
    };
    await writeDrift('player', result);
    return result;
  } finally {
    await browser.close();
  }
}
