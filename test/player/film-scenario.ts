import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { attachMusic, insertReadyClips, type MediaWorld } from '../factories/media.js';
import { launchChromium, signInThroughForm } from '../setup/chromium.js';

// One film played end to end in a real Chromium, measured from the page. Shared by the browser
// test (test/player/film.browser.test.ts) and the benchmark (bench/player-gap.ts).

export const GAPS_FILE = path.resolve('.tmp/player-gaps.json');

export interface PlayerEvent {
  clipIndex: number;
  event: string;
  t: number;
}

export interface Transition {
  from: number;
  to: number;
  lastFrame: number;
  firstFrame: number;
  /** Next clip's first frame minus this clip's last frame: negative means they overlapped (crossfade). */
  deltaMs: number;
}

export interface FilmResult {
  expectedIds: string[];
  pageIds: string[];
  firstFrameOrder: number[];
  colours: string[];
  music: { at1: number; at2: number; paused: boolean; endPaused: boolean; atEnd: number; filmTotal: number } | null;
  ended: boolean;
  transitions: Transition[];
  worstGapMs: number;
  meanGapMs: number;
  meanOverlapMs: number;
  worstFrameIntervalMs: number;
  /** Where the longest wait for a new frame happened (clip index, page time). */
  worstFrameAt: { clipIndex: number | null; t: number | null };
  events: PlayerEvent[];
  wallMs: number;
}

export interface FilmOptions {
  baseUrl: string;
  world: MediaWorld;
  clips?: number;
  clipSeconds?: number;
  email?: string;
}

// Shared with the beat tests; they live in test/setup (launchChromium's flags include
// --autoplay-policy=no-user-gesture-required).
export { launchChromium, signInThroughForm };

/**
 * Names the colour of the live video's corner pixel (clips are solid red, green, blue, …) as the
 * film plays. A string, not a function: tsx would wrap named functions in a helper the page lacks.
 */
const COLOUR_SAMPLER = `(() => {
  const canvas = document.createElement('canvas');
  canvas.width = 32; canvas.height = 18;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const seen = (window.__colours = []);
  setInterval(() => {
    const v = document.querySelector('video.is-live');
    if (!v || v.readyState < 2) return;
    g.drawImage(v, 0, 0, 32, 18);
    const [r, gr, b] = g.getImageData(2, 2, 1, 1).data;
    const c = r > 150 && gr > 100 && b < 80 ? 'amber' : r > gr && r > b ? 'red' : gr > r && gr > b ? 'green' : 'blue';
    if (seen[seen.length - 1] !== c) seen.push(c);
  }, 40);
})()`;

export function summarise(events: PlayerEvent[], clipCount: number) {
  const transitions: Transition[] = [];
  for (let i = 0; i + 1 < clipCount; i++) {
    const last = events.find((e) => e.event === 'last-frame' && e.clipIndex === i);
    const first = events.find((e) => e.event === 'first-frame' && e.clipIndex === i + 1);
    if (!last || !first) continue;
    transitions.push({ from: i, to: i + 1, lastFrame: last.t, firstFrame: first.t, deltaMs: Math.round(first.t - last.t) });
  }
  const gaps = transitions.map((x) => Math.max(0, x.deltaMs));
  const overlaps = transitions.map((x) => Math.max(0, -x.deltaMs));
  const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
  return { transitions, worstGapMs: gaps.length ? Math.max(...gaps) : 0, meanGapMs: mean(gaps), meanOverlapMs: mean(overlaps) };
}

/**
 * Signs in, makes a project of `clips` solid-colour clips (red, green, blue…) with a tone a few
 * seconds longer than the film, opens the player, plays it to the end and measures the
 * hand-over between clips from the player's requestVideoFrameCallback timings (public/js/player/videos.js).
 */
export async function runFilmScenario(opts: FilmOptions): Promise<FilmResult> {
  const started = Date.now();
  const clipCount = opts.clips ?? 3;
  const clipSeconds = opts.clipSeconds ?? 2;
  const email = opts.email ?? `film-${Date.now()}@example.com`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 640 } });
    await signInThroughForm(page, opts.baseUrl, email);
    const { db } = opts.world;
    const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const project = await db.insertInto('projects').values({ user_id: user.id, title: 'Gap test', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
    const clips = await insertReadyClips(opts.world, user.id, project.id, clipCount, { durationS: clipSeconds });
    await attachMusic(opts.world, user.id, project.id, { durationS: clipCount * clipSeconds + 3 });

    await page.goto(`${opts.baseUrl}/projects/${project.id}/play`);
    const pageIds = await page.$$eval('[data-clip-id]', (els) => els.map((e) => e.getAttribute('data-clip-id')!));
    await page.waitForFunction(() => {
      const vs = [...document.querySelectorAll('video')] as HTMLVideoElement[];
      const a = document.querySelector('audio');
      return Boolean((window as any).__echoesPlayer) && vs.every((v) => v.readyState >= 3) && (!a || a.readyState >= 3);
    }, undefined, { timeout: 10_000, polling: 100 });
    await page.evaluate(COLOUR_SAMPLER);
    await page.click('.player-bigplay');

    await page.waitForFunction(() => (window as any).__echoesPlayer.state().time > 0.8, undefined, { timeout: 10_000, polling: 100 });
    const at1 = await page.evaluate(() => (document.querySelector('audio') as HTMLAudioElement).currentTime);
    await page.waitForTimeout(400);
    const m2 = await page.evaluate(() => {
      const a = document.querySelector('audio') as HTMLAudioElement;
      return { at2: a.currentTime, paused: a.paused };
    });
    await page.waitForFunction(() => (window as any).__echoesPlayer.state().ended, undefined, { timeout: clipCount * clipSeconds * 1000 + 10_000, polling: 100 });
    const out = await page.evaluate(() => {
      const p = (window as any).__echoesPlayer;
      const a = document.querySelector('audio') as HTMLAudioElement | null;
      return { events: p.events, stats: p.stats, colours: (window as any).__colours as string[], endPaused: a ? a.paused : true, atEnd: a ? a.currentTime : 0, filmTotal: p.state().total };
    });
    const events = out.events as PlayerEvent[];
    const firstFrameOrder = events.filter((e) => e.event === 'first-frame').sort((a, b) => a.t - b.t).map((e) => e.clipIndex);
    const result: FilmResult = {
      expectedIds: clips.map((c) => c.id),
      pageIds,
      firstFrameOrder,
      colours: out.colours,
      music: { at1, at2: m2.at2, paused: m2.paused, endPaused: out.endPaused, atEnd: out.atEnd, filmTotal: out.filmTotal },
      ended: events.some((e) => e.event === 'ended'),
      ...summarise(events, clipCount),
      worstFrameIntervalMs: out.stats.worstFrameInterval,
      worstFrameAt: { clipIndex: out.stats.worstFrameAt, t: out.stats.worstFrameT },
      events,
      wallMs: Date.now() - started,
    };
    await writeGaps(result);
    return result;
  } finally {
    await browser.close();
  }
}

export async function writeGaps(r: FilmResult): Promise<void> {
  await mkdir(path.dirname(GAPS_FILE), { recursive: true });
  const { events, ...rest } = r;
  await writeFile(GAPS_FILE, JSON.stringify({ measuredAt: new Date().toISOString(), ...rest, events }, null, 2));
}
