import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { probeMedia } from '../platform/media-probe.js';
import type { AppContext } from '../platform/context.js';
import { ffprobePath } from '../platform/ffmpeg.js';
import type { Logger } from '../platform/logger.js';

/**
 * The real length of a stored clip video (ffprobe): providers do not all make what was asked
 * (Luma makes 9 s of a 10 s clip), and the cut plan, player and export follow the video. Null when
 * it cannot be read: they fall back to the requested length.
 */
export async function probeStoredDuration(ctx: AppContext, key: string, log: Logger): Promise<number | null> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-probe-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    await pipeline(await ctx.storage.get(key), createWriteStream(file));
    const info = await probeMedia(ffprobePath(ctx.config.FFPROBE_PATH), file);
    return info.durationS > 0 ? Math.round(info.durationS * 1000) / 1000 : null;
  } catch (err) {
    log.warn({ err: (err as Error).message, key }, 'could not read the stored video’s length; using the requested one');
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
