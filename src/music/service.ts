import { enqueueAnalysis } from '../beats/service.js';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import { NotFoundError, UnavailableError } from '../platform/errors.js';
import { storageKeys } from '../storage/index.js';
import { bytes } from '../platform/format.js';
import { spoolUpload } from '../storage/spool.js';
import { lockUser, projectMusicBytes } from '../limits/queries.js';
import { claimStorage, roomLeft } from '../limits/quota.js';
import { enforceRate } from '../limits/rates.js';
import { getSettings } from '../settings/service.js';
import { inspectAudio, type AudioInfo } from './inspect.js';
import { swapProjectMusic, type MusicFields } from './queries.js';

type Ctx = Pick<AppContext, 'db' | 'storage' | 'logger' | 'config' | 'queues' | 'redis' | 'ffmpeg'>;

const MULTIPART_SLACK = 8 * 1024;

/** Old objects are removed after the row no longer names them; a failure only leaves garbage. */
async function forget(ctx: Ctx, key: string | null | undefined): Promise<void> {
  if (!key) return;
  await ctx.storage.delete(key).catch((err) => ctx.logger.warn({ err, key }, 'could not delete replaced music'));
}

async function swap(ctx: Ctx, userId: string, projectId: string, next: MusicFields): Promise<string | null> {
  const settings = await getSettings(ctx.db);
  const swapped = await withTx(ctx.db, async (tx) => {
    if (next.music_bytes) {
      // The person's row first (like a new clip), then the project's: one lock order, no deadlock.
      await lockUser(tx, userId);
      await claimStorage(tx, settings, userId, next.music_bytes, await projectMusicBytes(tx, userId, projectId));
    }
    return swapProjectMusic(tx, userId, projectId, next);
  });
  if (!swapped) throw new NotFoundError();
  return swapped.oldKey;
}

/**
 * Takes an uploaded track: spooled to a temp file while its size is counted, checked by its bytes,
 * its length read, stored under a fresh key, then the row points at it, then the old object goes.
 * Any failure leaves the row as it was, no new object and no temp file. The storage quota holds
 * the upload's byte count while it streams (its declared length is refused before), the track's
 * minutes count against the hourly beat analysis allowance before it is stored, and the row is
 * recorded with its size only if it still fits (the track it replaces gives its space back).
 */
export async function replaceMusic(ctx: Ctx, userId: string, projectId: string, upload: { stream: Readable; filename: string; declaredBytes?: number }): Promise<AudioInfo> {
  const settings = await getSettings(ctx.db);
  const freed = await projectMusicBytes(ctx.db, userId, projectId);
  // A declared length also counts the multipart framing: a few hundred bytes, allowed for here.
  const declared = Math.max(0, (upload.declaredBytes ?? 0) - MULTIPART_SLACK);
  const room = (await roomLeft(ctx.db, settings, userId, Math.max(0, declared - freed))) + freed;
  const max = Math.min(ctx.config.MAX_MUSIC_BYTES, room);
  const tooLargeMessage =
    max < ctx.config.MAX_MUSIC_BYTES
      ? `That track does not fit in your storage (${bytes(room)} left). Delete clips, music or projects you no longer need to make room.`
      : `That track is too large. The limit is ${bytes(max)}.`;
  const spooled = await spoolUpload(upload.stream, max, { tooLargeMessage });
  try {
    const info = await inspectAudio(ctx.ffmpeg.ffmpeg, spooled.path, upload.filename);
    await enforceRate(ctx, 'analysis-minutes', userId, Math.ceil(info.durationS / 60));
    const key = storageKeys.music(userId, projectId, `${randomUUID()}.${info.ext}`);
    try {
      await ctx.storage.put(key, createReadStream(spooled.path), info.contentType);
    } catch (err) {
      ctx.logger.error({ err, key }, 'storing music failed');
      await forget(ctx, key);
      throw new UnavailableError('We could not save your track just now. Please try again in a moment.', 'storage_failed');
    }
    let oldKey: string | null;
    try {
      oldKey = await swap(ctx, userId, projectId, { music_key: key, music_name: info.name, music_duration_s: info.durationS, music_bytes: spooled.bytes });
    } catch (err) {
      await forget(ctx, key);
      throw err;
    }
    await forget(ctx, oldKey);
    // Beat analysis runs in the background; if Redis is away the panel re-enqueues it later.
    await enqueueAnalysis(ctx, projectId);
    return info;
  } finally {
    await spooled.cleanup();
  }
}

export async function removeMusic(ctx: Ctx, userId: string, projectId: string): Promise<void> {
  const oldKey = await swap(ctx, userId, projectId, { music_key: null, music_name: null, music_duration_s: null, music_bytes: null });
  await forget(ctx, oldKey);
}
