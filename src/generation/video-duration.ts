import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../platform/context.js';
import type { Logger } from '../platform/logger.js';
import { Mp4DurationTap } from './mp4-duration.js';

/**
 * The real length of a stored clip video, read from its MP4 header as it streams from storage
 * (the same reader a download goes through): providers do not all make what was asked (Luma
 * makes 9 s of a 10 s clip), and the cut plan, player and export follow the video. Null when it
 * cannot be read: they fall back to the requested length.
 */
export async function probeStoredDuration(ctx: AppContext, key: string, log: Logger): Promise<number | null> {
  try {
    const tap = new Mp4DurationTap();
    const discard = new Writable({ write: (_chunk, _enc, cb) => cb() });
    await pipeline(await ctx.storage.get(key), tap, discard);
    return tap.durationS && tap.durationS > 0 ? Math.round(tap.durationS * 1000) / 1000 : null;
  } catch (err) {
    log.warn({ err: (err as Error).message, key }, 'could not read the stored video’s length; using the requested one');
    return null;
  }
}
