import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/runner.js';
import { startExport } from '../../src/export/service.js';
import { CROSSFADE_S } from '../../src/film/plan.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';
import { ffprobeJson, leftoverTempDirs, localObjectPath, topLevelBoxes } from './helpers.js';

// A whole export rendered by ffmpeg: three clips and music into a 720p MP4, then a second export
// replacing it. Minutes of CPU on a loaded machine, so `npm test` runs it and `npm run test:quick`
// does not; the rest of the render's rules are in render.test.ts.

/** The mean loudness of a stretch of a file's audio, in dB (ffmpeg's volumedetect). */
async function meanVolumeDb(file: string, startS: number, durationS: number): Promise<number> {
  const res = await run(ffmpegPath(), ['-hide_banner', '-ss', String(startS), '-t', String(durationS), '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-']);
  const m = /mean_volume: (-?[\d.]+|-inf) dB/.exec(res.stderr);
  if (!m) throw new Error(`no volume in: ${res.stderr.slice(-500)}`);
  return m[1] === '-inf' ? -Infinity : Number(m[1]);
}

describe('export render', () => {
  let tc: TestContext;
  beforeAll(async () => {
    tc = await createTestContext();
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('renders three clips (one portrait, cropped) with music into one faststart 720p MP4, then replaces it', async () => {
    const { ctx, dataDir } = tc;
    const user = await createUser(ctx.db);
    const seeded = await seedExportProject(ctx, user.id, {
      clips: [{ width: 320, height: 180, durationS: 2 }, { width: 180, height: 320, durationS: 2 }, { width: 320, height: 180, durationS: 2 }],
      musicS: 10,
    });
    const project = await ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();

    const first = await startExport(ctx, project, { resolution: 720, shape: 'project' });
    await runExport(ctx, first.id);
    const done = await ctx.db.selectFrom('exports').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'ready', progress: 1, error_message: null });
    expect(done.object_key).toBe(`exports/${user.id}/${project.id}/${first.id}.mp4`);
    expect(await leftoverTempDirs(first.id)).toEqual([]);

    const file = localObjectPath(dataDir, done.object_key!);
    const probe = await ffprobeJson(file);
    const video = probe.streams.filter((s) => s.codec_type === 'video');
    const audio = probe.streams.filter((s) => s.codec_type === 'audio');
    expect(video).toHaveLength(1);
    expect(audio).toHaveLength(1);
    expect(video[0]).toMatchObject({ codec_name: 'h264', width: 1280, height: 720, pix_fmt: 'yuv420p' });
    expect(done.file_info).toMatchObject({ width: 1280, height: 720, frameRate: '24/1', videoCodec: 'h264', audioCodec: 'aac', audioChannels: 2 });
    expect(done.render_s).toBeGreaterThan(0);
    expect(audio[0]!.codec_name).toBe('aac');
    const expected = 3 * 2 - 2 * CROSSFADE_S;
    expect(Math.abs(Number(probe.format.duration) - expected)).toBeLessThan(0.2);
    expect(Math.abs(done.duration_s! - expected)).toBeLessThan(0.2);
    expect(done.size_bytes).toBeGreaterThan(1000);
    const boxes = await topLevelBoxes(file);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    // The music is really mixed in (not silence), and fades out over the last MUSIC_FADE_OUT_S.
    const body = await meanVolumeDb(file, 1, 1.5);
    const tail = await meanVolumeDb(file, expected - 0.3, 0.3);
    expect(body).toBeGreaterThan(-35);
    expect(body - tail).toBeGreaterThan(10);

    // Running the same job again changes nothing.
    await runExport(ctx, first.id);
    expect(await ctx.storage.size(done.object_key!)).toBe(done.size_bytes);

    // A new export (of a changed project: one clip left, so it renders fast) replaces the previous one's object.
    await ctx.db.updateTable('clips').set({ approved: false }).where('id', 'in', seeded.clipIds.slice(1)).execute();
    const second = await startExport(ctx, project, { resolution: 720, shape: 'project' });
    await runExport(ctx, second.id);
    const rows = await ctx.db.selectFrom('exports').selectAll().where('project_id', '=', project.id).orderBy('created_at').execute();
    expect(rows.map((r) => r.status)).toEqual(['ready', 'ready']);
    expect(rows[0]!.object_key).toBeNull();
    expect(await ctx.storage.size(done.object_key!)).toBeNull();
    expect(await ctx.storage.size(rows[1]!.object_key!)).toBeGreaterThan(1000);
    expect(rows[1]!.source_hash).not.toBe(rows[0]!.source_hash);
    expect(Math.abs(rows[1]!.duration_s! - 2)).toBeLessThan(0.2);
  }, 240_000);
});
