import { run } from '../platform/ffmpeg.js';

export { probeMedia, type MediaInfo } from '../platform/media-probe.js';

const xfadeCache = new Map<string, boolean>();

/** Whether this ffmpeg build has the xfade filter (the npm-bundled 4.x build does not). */
export async function hasXfade(ffmpeg: string): Promise<boolean> {
  if (!xfadeCache.has(ffmpeg)) {
    let found = false;
    const res = await run(ffmpeg, ['-hide_banner', '-filters'], {
      onStdout: (line) => {
        if (/^\s*\S+\s+xfade\s/.test(line)) found = true;
      },
    }).catch(() => ({ code: -1, stderr: '' }));
    xfadeCache.set(ffmpeg, res.code === 0 && found);
  }
  return xfadeCache.get(ffmpeg)!;
}
