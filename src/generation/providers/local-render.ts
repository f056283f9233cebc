import { inputOf, run } from '../../platform/ffmpeg.js';
import { isMotion, type Motion } from '../../motion/presets.js';

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
  /** A camera motion preset (../motion.ts): the render's own control; none is the drafts' slow push in. */
  motion?: string | null;
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
  // Without a preset: a slow zoom that pans from the centre towards the focal point as it closes in.
  const path = isMotion(o.motion) ? cameraPath(o.motion, frames) : { z: `1+0.15*on/${frames}`, x: `0.5+${fx - 0.5}*on/${frames}`, y: `0.5+${fy - 0.5}*on/${frames}` };
  const filter = [
    `scale=${w * 2}:${h * 2}:force_original_aspect_ratio=increase`,
    `crop=${w * 2}:${h * 2}`,
    `zoompan=z='${path.z}':x='(iw-iw/zoom)*(${path.x})':y='(ih-ih/zoom)*(${path.y})':d=1:s=${w}x${h}:fps=${fps}`,
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

/**
 * zoompan expressions for a preset: the zoom, and where the window sits across and down the room the
 * zoom leaves (0–1), over the output frame number `on`. Pans and cranes hold a zoom so there is room to move.
 */
export function cameraPath(motion: Motion, frames: number): { z: string; x: string; y: string } {
  const t = `(on/${frames})`;
  switch (motion) {
    case 'static':
      return { z: '1', x: '0.5', y: '0.5' };
    case 'push_in':
      return { z: `1+0.15*${t}`, x: '0.5', y: '0.5' };
    case 'pull_out':
      return { z: `1.15-0.15*${t}`, x: '0.5', y: '0.5' };
    case 'pan_left':
      return { z: '1.15', x: `1-${t}`, y: '0.5' };
    case 'pan_right':
      return { z: '1.15', x: t, y: '0.5' };
    case 'crane_up':
      return { z: '1.15', x: '0.5', y: `1-${t}` };
    case 'orbit':
      // An arc: across the photo while the camera eases in and back out.
      return { z: `1.1+0.05*sin(PI*${t})`, x: `0.5-0.5*cos(PI*${t})`, y: `0.5+0.2*sin(PI*${t})` };
    case 'handheld':
      // Small irregular drift, as a hand holds a camera.
      return { z: '1.08', x: '0.5+0.12*sin(on*0.37)+0.06*sin(on*0.91)', y: '0.5+0.1*sin(on*0.29+1)+0.05*sin(on*1.13)' };
  }
}
