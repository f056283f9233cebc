import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../platform/context.js';
import type { Logger } from '../platform/logger.js';
import { probeMedia } from '../platform/media-probe.js';

/**
 * The real length of a stored clip video, its video stream's as ffprobe reads it (the export reads
 * its inputs the same way): providers do not all make what was asked (Luma makes 9 s of a 10 s
 * clip), and the cut plan, player and export follow the video. Null when it cannot be read: they
 * fall back to the requested length.
 */
export async function probeStoredDuration(ctx: AppContext, key: string, log: Logger): Promise<number | null> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-probe-'));
  try {
    const file = path.join(dir, 'video.mp4');
    await pipeline(await ctx.storage.get(key), createWriteStream(file, { mode: 0o600 }));
    const { durationS } = await probeMedia(ctx.ffmpeg.ffprobe, file);
    return durationS > 0 ? Math.round(durationS * 1000) / 1000 : null;
  } catch (err) {
    log.warn({ err: (err as Error).message, key }, 'could not read the stored video’s length; using the requested one');
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
