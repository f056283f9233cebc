import { attachTake } from './takes.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../../src/platform/context.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { storageKeys } from '../../src/storage/index.js';

export interface ClipSpec {
  width: number;
  height: number;
  durationS: number;
  /** A plain picture of this colour (e.g. `0x3366aa`) instead of the moving test pattern. */
  colour?: string;
}

async function ffmpeg(args: string[]): Promise<void> {
  const res = await run(ffmpegPath(), ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args]);
  if (res.code !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
}

/** A small real H.264 MP4 (test pattern, no audio), like a generated clip. */
export async function makeClipFile(dir: string, spec: ClipSpec, name = `${randomUUID()}.mp4`): Promise<string> {
  const file = path.join(dir, name);
  await ffmpeg([
    '-f', 'lavfi', '-i', spec.colour ? `color=c=${spec.colour}:size=${spec.width}x${spec.height}:rate=24:duration=${spec.durationS}` : `testsrc2=size=${spec.width}x${spec.height}:rate=24:duration=${spec.durationS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file,
  ]);
  return file;
}

/** A tone as AAC in .m4a, standing in for an uploaded song. */
export async function makeMusicFile(dir: string, durationS: number, name = `${randomUUID()}.m4a`): Promise<string> {
  const file = path.join(dir, name);
  await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${durationS}`, '-c:a', 'aac', '-b:a', '96k', file]);
  return file;
}

export interface SeededExportProject {
  project: { id: string; user_id: string; title: string; music_key: string | null };
  clipIds: string[];
  videoKeys: string[];
}

/**
 * A project whose clips are `ready` and `approved` with real MP4s in storage (positions 0..n-1),
 * plus a music file when asked: what an export reads, without generating anything.
 */
export async function seedExportProject(
  ctx: AppContext,
  userId: string,
  opts: { clips: ClipSpec[]; musicS?: number | null; title?: string },
): Promise<SeededExportProject> {
  // Inserted here rather than through test/factories.ts, which imports vitest: bench/export.ts uses this file too.
  const project = await ctx.db
    .insertInto('projects')
    .values({ user_id: userId, title: opts.title ?? 'Export test', ratio: '1280:720' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-seed-'));
  try {
    const clipIds: string[] = [];
    const videoKeys: string[] = [];
    for (const [position, spec] of opts.clips.entries()) {
      const clipId = randomUUID();
      const key = storageKeys.clip(userId, project.id, clipId);
      await ctx.storage.put(key, await readFile(await makeClipFile(dir, spec)), 'video/mp4');
      const clip = await ctx.db
        .insertInto('clips')
        .values({
          id: clipId, project_id: project.id, user_id: userId, image_key: `images/${userId}/${project.id}/${clipId}.png`,
          prompt: 'test clip', status: 'ready', duration_s: Math.min(10, Math.max(2, Math.round(spec.durationS))), ratio: `${spec.width}:${spec.height}`,
          progress: 1, approved: true, position,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await attachTake(ctx.db, clip, key);
      clipIds.push(clipId);
      videoKeys.push(key);
    }
    let musicKey: string | null = null;
    if (opts.musicS) {
      musicKey = storageKeys.music(userId, project.id, `${randomUUID()}.m4a`);
      await ctx.storage.put(musicKey, await readFile(await makeMusicFile(dir, opts.musicS)), 'audio/mp4');
      await ctx.db.updateTable('projects').set({ music_key: musicKey, music_name: 'tone.m4a', music_duration_s: opts.musicS }).where('id', '=', project.id).execute();
    }
    return { project: { ...project, music_key: musicKey }, clipIds, videoKeys };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
