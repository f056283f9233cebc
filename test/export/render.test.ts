import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runExport } from '../../src/export/runner.js';
import { buildRender, EXPORT_NICENESS, runRender } from '../../src/export/render.js';
import { CROSSFADE_S, planCuts } from '../../src/film/plan.js';
import { renderTimeline } from '../../src/film/render-timeline.js';
import { startExport } from '../../src/export/service.js';
import { ffmpegPath } from '../../src/platform/ffmpeg.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createUser } from '../factories.js';
import { makeClipFile, seedExportProject } from '../factories/export-media.js';
import { leftoverTempDirs } from './helpers.js';

describe('export render', () => {
  let tc: TestContext;
  beforeAll(async () => {
    tc = await createTestContext();
  });
  afterAll(async () => {
    await tc?.close();
  });

  /** The film's timeline for clips shown whole (no beat sync), as the players get it. */
  const wholeClips = (lengths: number[], files = lengths) =>
    renderTimeline(planCuts({ clips: lengths.map((durationS, i) => ({ id: `c${i}`, durationS })), beats: [], downbeats: [], musicDurationS: null, cutOnBeat: false, mode: 'beat' }), files);
  const oneClip = wholeClips([1]);

  it('takes every crossfade offset and trim from the film timeline', () => {
    const clip = (p: string) => ({ path: p, width: 320, height: 180, fps: 24 });
    const plan = buildRender({ clips: [clip('a'), clip('b'), clip('c')], timeline: wholeClips([2, 3, 2.5]), musicPath: null, width: 321, height: 180, frameRate: '24/1', maxKbps: 5000, output: 'out.mp4' });
    expect(plan.fadeS).toBe(CROSSFADE_S);
    expect(plan.offsets.map((o) => +o.toFixed(3))).toEqual([1.7, 4.4]);
    expect(plan.totalS).toBeCloseTo(7.5 - 2 * CROSSFADE_S, 5);
    // One piece per clip, each with at most two clips open; the join copies the video and adds the audio.
    expect(plan.pieces.map((p) => p.args.filter((a) => a === '-i').length)).toEqual([2, 2, 1]);
    expect(plan.pieces.map((p) => p.frames)).toEqual([48, 65, 53]); // to 2.0, 4.7 and 6.9 s at 24 fps (the pieces meet at each clip's end)
    expect(plan.totalFrames).toBe(166);
    const graph = plan.pieces.map((p) => p.args[p.args.indexOf('-filter_complex') + 1]!).join(';');
    expect(graph).toContain('crop=320:180:0:0'); // odd sizes become even for yuv420p
    expect(graph).not.toMatch(/[,\]]pad=/); // never letterboxed
    expect(graph).not.toContain('framerate='); // clips at the film's rate are not converted
    expect(graph).toContain('xfade=transition=fade:duration=0.291667:offset=1.708333'); // 7 frames, from film frame 41
    const join = plan.join.join(' ');
    expect(join).toContain('anullsrc'); // silent track when there is no music
    expect(join).toContain('-c:v copy'); // the pieces are joined, not encoded again
    expect(plan.join).toContain('+faststart');
  });

  it('reports progress from ffmpeg up to 1', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-progress-'));
    try {
      const clip = await makeClipFile(dir, { width: 160, height: 90, durationS: 1 });
      const plan = buildRender({ clips: [{ path: clip, width: 160, height: 90, fps: 24 }], timeline: oneClip, musicPath: null, width: 160, height: 90, frameRate: '24/1', maxKbps: 1000, output: path.join(dir, 'o.mp4'), preset: 'ultrafast' });
      const seen: number[] = [];
      await runRender(ffmpegPath(), plan, { onProgress: (p) => seen.push(p) });
      expect(seen.at(-1)).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs ffmpeg below normal CPU priority, so generation comes first', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-nice-'));
    try {
      // A stand-in ffmpeg that reports its own niceness (field 19 of /proc/<pid>/stat) and fails.
      const fake = path.join(dir, 'ffmpeg');
      await writeFile(fake, '#!/bin/sh\nsleep 0.3\necho "nice=$(cut -d" " -f19 /proc/$$/stat)" >&2\nexit 1\n', { mode: 0o755 });
      const plan = buildRender({ clips: [{ path: 'a.mp4', width: 160, height: 90, fps: 24 }], timeline: oneClip, musicPath: null, width: 160, height: 90, frameRate: '24/1', maxKbps: 1000, output: path.join(dir, 'o.mp4') });
      await expect(runRender(fake, plan)).rejects.toThrow(`nice=${EXPORT_NICENESS}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails a render with a damaged clip cleanly: error status, nothing stored, no temp files', async () => {
    const { ctx } = tc;
    const user = await createUser(ctx.db);
    const seeded = await seedExportProject(ctx, user.id, { clips: [{ width: 160, height: 90, durationS: 1 }, { width: 160, height: 90, durationS: 1 }] });
    await ctx.storage.put(seeded.videoKeys[1]!, Buffer.from('this is not a video at all'), 'video/mp4');
    const project = await ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();

    const exp = await startExport(ctx, project);
    await runExport(ctx, exp.id);
    const row = await ctx.db.selectFrom('exports').selectAll().where('id', '=', exp.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('error');
    expect(row.error_message).toMatch(/Clip 2 could not be read/);
    expect(row.object_key).toBeNull();
    expect(await ctx.storage.size(`exports/${user.id}/${project.id}/${exp.id}.mp4`)).toBeNull();
    expect(await leftoverTempDirs(exp.id)).toEqual([]);
  });

  it('fails with a clear message when the configured ffmpeg has no xfade filter', async () => {
    const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path; // a 4.x build without xfade
    const ctx = { ...tc.ctx, ffmpeg: { ...tc.ctx.ffmpeg, ffmpeg: bundled } };
    const user = await createUser(ctx.db);
    const seeded = await seedExportProject(ctx, user.id, { clips: [{ width: 160, height: 90, durationS: 1 }] });
    const project = await ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();
    const exp = await startExport(ctx, project);
    await runExport(ctx, exp.id);
    const row = await ctx.db.selectFrom('exports').selectAll().where('id', '=', exp.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('error');
    expect(row.error_message).toContain('xfade');
    expect(await leftoverTempDirs(exp.id)).toEqual([]);
  });
});
