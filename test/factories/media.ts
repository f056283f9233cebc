import { attachTake } from './takes.js';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { DB } from '../../src/platform/db.js';
import type { ClipStatus } from '../../src/platform/db-types.js';
import type { ClipWithTake } from '../../src/clips/queries.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { storageKeys, type Storage } from '../../src/storage/index.js';

// Real, small media for player tests: MP4s and a tone made with ffmpeg, put in storage where the
// generation feature would put them, and clip rows that point at them.

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
/** Distinct, saturated colours, so a test can tell clips apart by a pixel. */
export const CLIP_COLOURS = ['#dc2626', '#16a34a', '#2563eb', '#f59e0b', '#9333ea', '#0891b2'];

const cache = new Map<string, Promise<Buffer>>();

async function ffmpegToBuffer(args: string[], ext: string): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-media-'));
  const out = path.join(dir, `out.${ext}`);
  try {
    const res = await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
    if (res.code !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function cached(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key)!;
}

export interface TestClipOptions {
  color?: string;
  label?: string;
  durationS?: number;
  width?: number;
  height?: number;
  fps?: number;
}

/** A solid-colour H.264 MP4 (yuv420p, +faststart, no audio) with a big label, like a generated clip. */
export function makeTestClip(opts: TestClipOptions = {}): Promise<Buffer> {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const o = { color: CLIP_COLOURS[0]!, label: '', durationS: 2, width: 320, height: 180, fps: 30, ...given } as Required<TestClipOptions>;
  return cached(`clip:${JSON.stringify(o)}`, () => {
    const filters = [`format=yuv420p`];
    if (o.label && existsSync(FONT)) {
      filters.unshift(`drawtext=fontfile=${FONT}:text=${o.label}:fontsize=${Math.round(o.height / 2)}:fontcolor=white:x=(w-tw)/2:y=(h-th)/2`);
    }
    return ffmpegToBuffer(
      [
        '-f', 'lavfi', '-i', `color=c=0x${o.color.replace('#', '')}:s=${o.width}x${o.height}:r=${o.fps}:d=${o.durationS}`,
        '-vf', filters.join(','), '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-g', String(o.fps),
        '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-an',
      ],
      'mp4',
    );
  });
}

/** A sine tone as AAC in an .m4a, standing in for an uploaded track. */
export function makeTestTone(durationS = 8, frequency = 440): Promise<Buffer> {
  return cached(`tone:${durationS}:${frequency}`, () =>
    ffmpegToBuffer(['-f', 'lavfi', '-i', `sine=frequency=${frequency}:duration=${durationS}`, '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart'], 'm4a'),
  );
}

/** A solid-colour still (the image a clip was animated from) and its thumbnail. */
export async function makeTestStill(color: string, width = 320, height = 180): Promise<{ image: Buffer; thumb: Buffer }> {
  const base = sharp({ create: { width, height, channels: 3, background: color } });
  const image = await base.clone().jpeg({ quality: 80 }).toBuffer();
  const thumb = await sharp(image).resize(160, 160, { fit: 'inside' }).webp({ quality: 70 }).toBuffer();
  return { image, thumb };
}

export interface MediaWorld {
  db: DB;
  storage: Storage;
}

export interface ClipSpec {
  userId: string;
  projectId: string;
  position: number;
  approved?: boolean;
  status?: ClipStatus;
  durationS?: number;
  color?: string;
  label?: string;
  prompt?: string;
  ratio?: string;
  /** Only for ready clips: the MP4 size (small keeps tests fast). */
  width?: number;
  height?: number;
}

/**
 * Inserts a clip as the generation feature leaves it: for `ready`, a real MP4 at
 * storageKeys.clip(...), the still and thumbnail beside it. Other statuses get no video.
 */
export async function insertClip(w: MediaWorld, spec: ClipSpec): Promise<ClipWithTake> {
  const id = randomUUID();
  const status = spec.status ?? 'ready';
  const durationS = spec.durationS ?? 2;
  const color = spec.color ?? CLIP_COLOURS[spec.position % CLIP_COLOURS.length]!;
  const imageKey = storageKeys.image(spec.userId, spec.projectId, id, 'jpg');
  const thumbKey = storageKeys.thumb(spec.userId, spec.projectId, id);
  const still = await makeTestStill(color);
  await w.storage.put(imageKey, still.image, 'image/jpeg');
  await w.storage.put(thumbKey, still.thumb, 'image/webp');
  let videoKey: string | null = null;
  if (status === 'ready') {
    videoKey = storageKeys.clip(spec.userId, spec.projectId, id);
    const mp4 = await makeTestClip({ color, label: spec.label ?? String(spec.position + 1), durationS, width: spec.width, height: spec.height });
    await w.storage.put(videoKey, mp4, 'video/mp4');
  }
  const clip = await w.db
    .insertInto('clips')
    .values({
      id,
      project_id: spec.projectId,
      user_id: spec.userId,
      image_key: imageKey,
      thumb_key: thumbKey,
      prompt: spec.prompt ?? `secret prompt ${id}`,
      status,
      duration_s: durationS,
      ratio: spec.ratio ?? '1280:720',
      progress: status === 'ready' ? 1 : 0,
      provider: 'local',
      approved: spec.approved ?? true,
      position: spec.position,
      error_message: status === 'error' ? 'The provider could not animate this image.' : null,
      finished_at: status === 'ready' || status === 'error' ? new Date() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return videoKey ? attachTake(w.db, clip, videoKey) : { ...clip, video_key: null, take_kind: null, video_duration_s: null, takes_tally: '0/0' };
}

/** Ready, approved clips at positions 0..n-1 (or the given specs). */
export async function insertReadyClips(w: MediaWorld, userId: string, projectId: string, count: number, opts: Partial<ClipSpec> = {}): Promise<ClipWithTake[]> {
  const out: ClipWithTake[] = [];
  for (let i = 0; i < count; i++) out.push(await insertClip(w, { userId, projectId, position: i, ...opts }));
  return out;
}

/** A music track in storage, set on the project the way the music feature does. */
export async function attachMusic(w: MediaWorld, userId: string, projectId: string, opts: { durationS?: number; name?: string } = {}): Promise<string> {
  const durationS = opts.durationS ?? 8;
  const key = storageKeys.music(userId, projectId, `${randomUUID()}.m4a`);
  await w.storage.put(key, await makeTestTone(durationS), 'audio/mp4');
  await w.db
    .updateTable('projects')
    .set({ music_key: key, music_name: opts.name ?? 'Test tone.m4a', music_duration_s: durationS })
    .where('id', '=', projectId)
    .execute();
  return key;
}
