import type { ExportResolution, ExportShape } from '../platform/db-types.js';
import { UnprocessableError } from '../platform/errors.js';
import { findRatio } from '../settings/ratios.js';

/**
 * What an export can be asked for (design.md: `resolution` 720 | 1080, `shape` project | 16:9 |
 * 9:16 | 1:1) and what each choice makes: the frame size, the frame rate and the bitrate. Pure.
 */

export const RESOLUTIONS: readonly ExportResolution[] = [720, 1080];
export const SHAPES: readonly ExportShape[] = ['project', '16:9', '9:16', '1:1'];

export interface ExportOptions {
  resolution: ExportResolution;
  shape: ExportShape;
}

export const DEFAULT_OPTIONS: ExportOptions = { resolution: 1080, shape: 'project' };

/** The options of a POST body; a missing field takes the default, an unknown value is refused (422). */
export function parseExportOptions(body: unknown): ExportOptions {
  const b = (body ?? {}) as Record<string, unknown>;
  const rawRes = b.resolution === undefined || b.resolution === '' ? String(DEFAULT_OPTIONS.resolution) : String(b.resolution).replace(/p$/i, '');
  const resolution = RESOLUTIONS.find((r) => String(r) === rawRes);
  if (!resolution) throw new UnprocessableError(`Unknown resolution "${String(b.resolution).slice(0, 20)}": choose 720 or 1080.`, 'bad_resolution');
  const rawShape = b.shape === undefined || b.shape === '' ? DEFAULT_OPTIONS.shape : String(b.shape);
  const shape = SHAPES.find((s) => s === rawShape);
  if (!shape) throw new UnprocessableError(`Unknown shape "${rawShape.slice(0, 20)}": choose the project's shape, 16:9, 9:16 or 1:1.`, 'bad_shape');
  return { resolution, shape };
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The width:height of a shape; `project` is the project's own ratio (e.g. "1280:720"). */
export function shapeRatio(shape: ExportShape, projectRatio: string): { w: number; h: number } {
  if (shape !== 'project') {
    const [w, h] = shape.split(':').map(Number) as [number, number];
    return { w, h };
  }
  const r = findRatio(projectRatio);
  if (r) return { w: r.width, h: r.height };
  const m = /^(\d+):(\d+)$/.exec(projectRatio);
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? { w: Number(m[1]), h: Number(m[2]) } : { w: 16, h: 9 };
}

/** The frame: the short side is the resolution (1080 → 1920×1080, 1080×1920 or 1080×1080), both sides even. */
export function frameSize(options: ExportOptions, projectRatio: string): { width: number; height: number } {
  const { w, h } = shapeRatio(options.shape, projectRatio);
  const short = options.resolution;
  return w >= h ? { width: even((short * w) / h), height: short } : { width: short, height: even((short * h) / w) };
}

/**
 * The most bits per second the video may use (x264's VBV cap over a constant-quality CRF 20): 5 Mb/s
 * for 1280×720 and 8 Mb/s for 1920×1080 at up to 30 fps (YouTube's recommended upload rates for SDR),
 * other frames in proportion to their pixels against the 16:9 frame of the same resolution (1080×1080:
 * 4.5 Mb/s), and half as much again above 30 fps. Easy pictures stay well below it.
 */
export function videoMaxKbps(size: { width: number; height: number }, resolution: ExportResolution, fps: number): number {
  const base = resolution === 1080 ? 8000 : 5000;
  const wide = resolution === 1080 ? 1920 * 1080 : 1280 * 720;
  const perPixel = (base * size.width * size.height) / wide;
  return Math.round((perPixel * (fps > 30.5 ? 1.5 : 1)) / 100) * 100;
}

export const AUDIO_KBPS = 192;
export const VIDEO_CRF = 20;

/** Rates cameras and providers use; a probed rate within 0.03% of one (24 and 23.976 differ by 0.1%) is taken to be it. */
const STANDARD_RATES: Array<[string, number]> = [
  ['24000/1001', 24000 / 1001], ['24/1', 24], ['25/1', 25], ['30000/1001', 30000 / 1001], ['30/1', 30],
  ['48/1', 48], ['50/1', 50], ['60000/1001', 60000 / 1001], ['60/1', 60],
];

/** A probed rate as an exact fraction: the standard one it is, or itself rounded to 1/1000 fps. */
export function normaliseRate(fps: number): { rate: string; fps: number } {
  for (const [rate, value] of STANDARD_RATES) if (Math.abs(fps - value) / value < 0.0003) return { rate, fps: value };
  const milli = Math.round(fps * 1000);
  return { rate: `${milli}/1000`, fps: milli / 1000 };
}

/**
 * The film's frame rate: the clips' own when they agree (24 fps clips make a 24 fps film: nothing
 * duplicated or dropped). A mix takes the rate that covers most of the film's time, and only the
 * other clips are converted (once, render.ts). Unknown rates (0) are ignored; none known: 24.
 */
export function filmFrameRate(clips: Array<{ fps: number; shownS: number }>): { rate: string; fps: number } {
  const time = new Map<string, { fps: number; s: number }>();
  for (const c of clips) {
    if (!(c.fps > 0)) continue;
    const n = normaliseRate(c.fps);
    const t = time.get(n.rate) ?? { fps: n.fps, s: 0 };
    t.s += Math.max(0, c.shownS);
    time.set(n.rate, t);
  }
  let best: { rate: string; fps: number; s: number } | null = null;
  for (const [rate, t] of time) {
    if (!best || t.s > best.s + 1e-9 || (Math.abs(t.s - best.s) <= 1e-9 && t.fps > best.fps)) best = { rate, fps: t.fps, s: t.s };
  }
  return best ? { rate: best.rate, fps: best.fps } : { rate: '24/1', fps: 24 };
}

/** The shapes offered, with the names people know them by; `project` says what the project's is. */
export function shapeLabel(shape: ExportShape, projectRatioLabel: string): string {
  if (shape === 'project') return `Project's shape (${projectRatioLabel})`;
  return { '16:9': 'Landscape 16:9', '9:16': 'Portrait 9:16', '1:1': 'Square 1:1' }[shape];
}
