import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createUser } from '../factories.js';
import { seedBeatProject } from '../beats/beat-scenario.js';
import { cornerColours, crossing } from '../beats/beat-export.js';
import { CLIP_COLOURS } from '../factories/media.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { startExport } from '../../src/export/service.js';
import { runExport } from '../../src/export/runner.js';

// Issue 30 item 5: the numbers agree. A beat-synced project with trims (an in point and an out
// point): the timeline's data-start-s / data-out-s, the player's cut times (its playlist, which the
// player follows: test/beats/beat-player.browser.test.ts measures that) and the cut times found in
// the exported MP4 itself (by the clips' colours) are within one frame (1/30 s) of each other.
const FRAME_S = 1 / 30;
type RGB = [number, number, number];
const hex = (h: string): RGB => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const dist = (a: RGB, b: RGB) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0));

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-cut-agreement-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t?.close();
});

describe('the timeline, the player and the export agree on every cut', () => {
  it('within one frame, trims included, measured from the MP4', async () => {
    const user = await createUser(t.ctx.db, { email: 'cuts@example.com' });
    const owner = new TestBrowser(t.app);
    await owner.signInDev(user.email);
    const { project, clipIds } = await seedBeatProject(t.ctx, user.id, [3, 4, 3, 3]);

    // The second clip's take opens with a white second the film must never show once trimmed away.
    const take = await t.ctx.db.selectFrom('clips').innerJoin('takes', 'takes.id', 'clips.take_id').select('takes.video_key').where('clips.id', '=', clipIds[1]!).executeTakeFirstOrThrow();
    const twoTone = path.join(dir, 'two-tone.mp4');
    const green = CLIP_COLOURS[1]!.replace('#', '0x');
    const made = await run(ffmpegPath(), [
      '-hide_banner', '-nostdin', '-y', '-f', 'lavfi', '-i', 'color=c=white:s=320x180:r=30:d=1', '-f', 'lavfi', '-i', `color=c=${green}:s=320x180:r=30:d=3`,
      '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', twoTone,
    ]);
    expect(made.code).toBe(0);
    await t.ctx.storage.put(take.video_key!, await readFile(twoTone), 'video/mp4');

    // Trims: the second clip from 1.2 s (past the white), the third to its first 2.2 s.
    expect((await owner.post(`/clips/${clipIds[1]}/trim`, { in_s: '1.2', out_s: '4' })).statusCode).toBe(303);
    expect((await owner.post(`/clips/${clipIds[2]}/trim`, { in_s: '0', out_s: '2.2' })).statusCode).toBe(303);

    // The timeline's numbers.
    const page = await owner.get(`/projects/${project.id}`);
    const fade = Number(/data-crossfade-s="([^"]+)"/.exec(page.body)![1]);
    const blocks = [...page.body.matchAll(/<li class="tl-block[^"]*" data-clip-id="([^"]+)" data-start-s="([^"]+)" data-out-s="([^"]+)"/g)].map((m) => ({ id: m[1]!, startS: Number(m[2]), endS: Number(m[3]) }));
    expect(blocks.map((b) => b.id)).toEqual(clipIds);
    const timelineCuts = blocks.slice(0, -1).map((b) => b.endS - fade / 2);

    // The player's: its playlist, which it follows (each clip starts at startS, shown from inS for outS).
    const play = await owner.get(`/projects/${project.id}/play`);
    const playlist = JSON.parse(/<script type="application\/json" id="playlist">([\s\S]*?)<\/script>/.exec(play.body)![1]!) as {
      crossfadeS: number;
      clips: Array<{ id: string; startS: number; inS: number; outS: number }>;
    };
    expect(playlist.clips.map((c) => c.inS)).toEqual([0, 1.2, 0, 0]);
    const playerCuts = playlist.clips.slice(0, -1).map((c) => c.startS + c.outS - playlist.crossfadeS / 2);
    // A clip's next one starts one crossfade before it ends, in the player as on the timeline.
    playlist.clips.slice(1).forEach((c, i) => expect(Math.abs(c.startS - (blocks[i]!.endS - fade))).toBeLessThan(1e-6));

    // The export's, from the file.
    const row = await t.ctx.db.selectFrom('projects').selectAll().where('id', '=', project.id).executeTakeFirstOrThrow();
    const exp = await startExport(t.ctx, row);
    await runExport(t.ctx, exp.id);
    const done = await t.ctx.db.selectFrom('exports').selectAll().where('id', '=', exp.id).executeTakeFirstOrThrow();
    expect(done.status).toBe('ready');
    const file = path.join(dir, 'export.mp4');
    await pipeline(await t.ctx.storage.get(done.object_key!), createWriteStream(file));
    const frames = await cornerColours(file);
    const colours = CLIP_COLOURS.slice(0, 4).map(hex);
    const exportCuts = blocks.slice(0, -1).map((b, i) => crossing(frames, colours[i]!, colours[i + 1]!, blocks[i + 1]!.startS - 0.5, b.endS + 0.5));

    for (let i = 0; i < timelineCuts.length; i++) {
      expect(exportCuts[i], `cut ${i + 1} found in the export`).not.toBeNull();
      expect(Math.abs(exportCuts[i]! - timelineCuts[i]!), `cut ${i + 1}: export vs timeline`).toBeLessThanOrEqual(FRAME_S);
      expect(Math.abs(playerCuts[i]! - timelineCuts[i]!), `cut ${i + 1}: player vs timeline`).toBeLessThanOrEqual(FRAME_S);
    }
    // The trimmed-away white opening of the second clip is nowhere in the film.
    const white: RGB = [255, 255, 255];
    const whitest = Math.min(...frames.map((f) => dist(f.rgb as RGB, white)));
    expect(whitest).toBeGreaterThan(100);
    // And the film is as long as the timeline says.
    expect(done.duration_s).toBeCloseTo(blocks.at(-1)!.endS, 1);
  }, 240_000);
});
