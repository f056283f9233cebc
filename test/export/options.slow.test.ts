import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runExport } from '../../src/export/runner.js';
import { startExport } from '../../src/export/service.js';
import { coverCrop } from '../../src/export/render.js';
import { renderZoomClip } from '../../src/generation/providers/local-render.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';
import { ffprobeJson, localObjectPath } from './helpers.js';

async function ffmpeg(args: string[]): Promise<string> {
  const res = await run(ffmpegPath(), ['-hide_banner', '-nostdin', '-y', ...args]);
  if (res.code !== 0) throw new Error(res.stderr.slice(-500));
  return res.stderr;
}

/** How many frames ffmpeg's mpdecimate keeps (default thresholds): fewer than the file has means duplicated frames. */
async function framesKeptByMpdecimate(file: string): Promise<number> {
  const log = await ffmpeg(['-i', file, '-vf', 'mpdecimate', '-f', 'null', '-']);
  return Number([...log.matchAll(/frame=\s*(\d+)/g)].at(-1)![1]);
}

/** Whether the frame at `atS` shows the red marker (at least a few pure-red pixels on a small copy). */
async function showsMarker(file: string, atS: number, dir: string): Promise<boolean> {
  const raw = path.join(dir, `f-${atS}.rgb`);
  await ffmpeg(['-loglevel', 'error', '-ss', String(atS), '-i', file, '-frames:v', '1', '-vf', 'scale=108:192:flags=neighbor', '-f', 'rawvideo', '-pix_fmt', 'rgb24', raw]);
  const px = await readFile(raw);
  let red = 0;
  for (let i = 0; i + 2 < px.length; i += 3) if (px[i]! > 200 && px[i + 1]! < 60 && px[i + 2]! < 60) red++;
  return red >= 4;
}

describe('export options', () => {
  let tc: TestContext;
  let dir: string;
  /** Two local-provider clips (1280×720, its frame rate) of a detailed picture with a red square: one on the right, one on the left, each its clip's focal point. */
  let clipFiles: Array<{ file: string; focusX: number }>;

  beforeAll(async () => {
    tc = await createTestContext();
    dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-options-'));
    clipFiles = [];
    for (const focusX of [0.85, 0.15]) {
      const photo = path.join(dir, `photo-${focusX}.jpg`);
      const x = Math.round(focusX * 1280 - 50);
      await ffmpeg(['-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=s=1280x720,drawbox=x=${x}:y=310:w=100:h=100:color=red:t=fill`, '-frames:v', '1', photo]);
      const file = path.join(dir, `clip-${focusX}.mp4`);
      await renderZoomClip({ ffmpeg: ffmpegPath(), imagePath: photo, outPath: file, width: 1280, height: 720, durationS: 2, focus: { x: focusX, y: 0.5 } });
      clipFiles.push({ file, focusX });
    }
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await tc?.close();
  });

  /** A 16:9 project of the two clips, their focal points recorded on the clip rows. */
  async function project() {
    const user = await createUser(tc.ctx.db);
    const seeded = await seedExportProject(tc.ctx, user.id, { clips: clipFiles.map(() => ({ width: 160, height: 90, durationS: 2 })) });
    for (const [i, c] of clipFiles.entries()) {
      await tc.ctx.storage.put(seeded.videoKeys[i]!, await readFile(c.file), 'video/mp4');
      await tc.ctx.db.updateTable('clips').set({ focus_x: c.focusX, focus_y: 0.5 }).where('id', '=', seeded.clipIds[i]!).execute();
    }
    return tc.ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();
  }

  async function exportOf(p: Awaited<ReturnType<typeof project>>, options: Parameters<typeof startExport>[2]) {
    const exp = await startExport(tc.ctx, p, options);
    await runExport(tc.ctx, exp.id);
    const row = await tc.ctx.db.selectFrom('exports').selectAll().where('id', '=', exp.id).executeTakeFirstOrThrow();
    expect(row.error_message).toBeNull();
    expect(row.status).toBe('ready');
    return { row, file: localObjectPath(tc.dataDir, row.object_key!) };
  }

  it('the local provider makes 24 fps clips', async () => {
    const probe = await ffprobeJson(clipFiles[0]!.file);
    expect(probe.streams[0]).toMatchObject({ width: 1280, height: 720, r_frame_rate: '24/1' });
  });

  it('exports 1080p at the clips\' 24 fps with no duplicated frame (mpdecimate)', async () => {
    const { row, file } = await exportOf(await project(), { resolution: 1080, shape: 'project' });
    const probe = await ffprobeJson(file);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect(video).toMatchObject({ width: 1920, height: 1080, r_frame_rate: '24/1', codec_name: 'h264', pix_fmt: 'yuv420p' });
    const frames = Number(video.nb_frames);
    expect(frames).toBeGreaterThan(80); // 3.7 s at 24 fps
    expect(await framesKeptByMpdecimate(file)).toBe(frames);
    expect(row.file_info).toMatchObject({ width: 1920, height: 1080, frameRate: '24/1', frames });
    // The bitrate stays under the cap stated for 1080p (8 Mb/s).
    expect(row.file_info!.videoKbps).toBeLessThanOrEqual(8000 * 1.1);
  }, 240_000);

  it('exports a 16:9 project as 9:16 at 1080×1920 with each clip\'s focal point in frame', async () => {
    const { file } = await exportOf(await project(), { resolution: 1080, shape: '9:16' });
    const video = (await ffprobeJson(file)).streams.find((s) => s.codec_type === 'video')!;
    expect(video).toMatchObject({ width: 1080, height: 1920, r_frame_rate: '24/1' });
    // Clip 1 (marker on the right) fills 0–1.7 s, clip 2 (marker on the left) 2.0–3.7 s.
    expect(await showsMarker(file, 0.8, dir)).toBe(true);
    expect(await showsMarker(file, 3.0, dir)).toBe(true);
    // A centre crop would have lost both markers: the focal point is what keeps them.
    for (const fx of [0.85, 0.15]) {
      const centre = coverCrop({ width: 1280, height: 720 }, 1080, 1920);
      const left = centre.x / centre.sw;
      const right = (centre.x + 1080) / centre.sw;
      expect(fx < left || fx > right).toBe(true);
    }
  }, 240_000);
});
