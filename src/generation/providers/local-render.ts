import { inputOf, run } from '../../platform/ffmpeg.js';

export interface RenderOptions {
  ffmpeg: string;
  imagePath: string;
  outPath: string;
  width: number;
  height: number;
  durationS: number;
  fps?: number;
  /** Where the camera drifts to while it zooms (0–1 across and down the photo); the centre by default. */
  focus?: { x: number; y: number };
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * A slow zoom into the still image: a real H.264 MP4 (yuv420p, moov atom first so it streams)
 * of exactly the clip's length and size. The image is upscaled first so zoompan's integer
 * positions do not make the picture shake.
 */
export async function renderZoomClip(o: RenderOptions): Promise<void> {
  const fps = o.fps ?? 24;
  const frames = Math.round(o.durationS * fps);
  const w = o.width;
  const h = o.height;
  const clamp = (v: number) => Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0.5));
  const fx = clamp(o.focus?.x ?? 0.5);
  const fy = clamp(o.focus?.y ?? 0.5);
  const filter = [
    `scale=${w * 2}:${h * 2}:force_original_aspect_ratio=increase`,
    `crop=${w * 2}:${h * 2}`,
    // A slow zoom that pans from the centre towards the focal point as it closes in.
    `zoompan=z='1+0.15*on/${frames}':x='(iw-iw/zoom)*(0.5+${fx - 0.5}*on/${frames})':y='(ih-ih/zoom)*(0.5+${fy - 0.5}*on/${frames})':d=1:s=${w}x${h}:fps=${fps}`,
    'format=yuv420p',
  ].join(',');
  const args = [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-loop', '1', '-framerate', String(fps), ...inputOf(o.imagePath, 'jpg'),
    '-vf', filter,
    '-frames:v', String(frames),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart',
    '-progress', 'pipe:1', '-nostats',
    o.outPath,
  ];
  const result = await run(o.ffmpeg, args, {
    signal: o.signal,
    onStdout: (line) => {
      const m = /^frame=(\d+)/.exec(line);
      if (m) o.onProgress?.(Math.min(1, Number(m[1]) / frames));
    },
  });
  if (result.code !== 0) throw new Error(`ffmpeg exited with ${result.code}: ${result.stderr.trim().slice(-500)}`);
}
