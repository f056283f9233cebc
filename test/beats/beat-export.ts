import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { AppContext } from '../../src/platform/context.js';
import { ffmpegPath } from '../../src/platform/ffmpeg.js';
import { runExport } from '../../src/export/runner.js';
import { startExport } from '../../src/export/service.js';
import { CLIP_COLOURS } from '../factories/media.js';
import { cutErrors, seedBeatProject, worstMs, writeDrift, type CutError } from './beat-scenario.js';

const exec = promisify(execFile);

// The beat-synced project exported by the real export runner, then the cuts found in the file by
// frame counting: each frame's colour (a corner, away from the clip's label) as a mix of the two
// solid colours around a crossfade; THE CUT is where the mix passes half way (the crossfade's
// midpoint, the plan's cutS), interpolated between the two frames either side.

type RGB = [number, number, number];

export interface ExportDrift {
  projectId: string;
  /** The clip colour seen in the middle of each clip's solo part, in order. */
  colours: string[];
  errors: CutError[];
  worstMs: number;
  frames: number;
  fps: number;
  plan: { startS: number[]; cutS: Array<number | null>; outS: number[]; totalS: number };
  durationS: number | null;
}

/** Every frame's presentation time and the average colour of a 16×16 corner patch. */
export async function cornerColours(file: string): Promise<Array<{ t: number; rgb: RGB }>> {
  const { stdout, stderr } = await exec(
    ffmpegPath(),
    ['-hide_banner', '-nostdin', '-loglevel', 'info', '-i', file, '-an', '-fps_mode', 'passthrough', '-vf', 'crop=16:16:8:8,scale=1:1:flags=area,showinfo', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const times = [...stderr.toString().matchAll(/pts_time:\s*([\d.]+)/g)].map((m) => Number(m[1]));
  const out: Array<{ t: number; rgb: RGB }> = [];
  for (let i = 0; i * 3 + 2 < stdout.length; i++) out.push({ t: times[i]!, rgb: [stdout[i * 3]!, stdout[i * 3 + 1]!, stdout[i * 3 + 2]!] });
  if (out.length !== times.length) throw new Error(`frames ${out.length} but ${times.length} timestamps`);
  return out;
}

const hex = (h: string): RGB => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const NAMES = ['red', 'green', 'blue', 'amber', 'purple', 'cyan'];
function nameOf(c: RGB): string {
  const d = CLIP_COLOURS.map((h) => hex(h).reduce((s, v, k) => s + (v - c[k]!) ** 2, 0));
  return NAMES[d.indexOf(Math.min(...d))]!;
}

function nearest(frames: Array<{ t: number; rgb: RGB }>, t: number) {
  return frames.reduce((best, f) => (Math.abs(f.t - t) < Math.abs(best.t - t) ? f : best));
}

/** Where the mix from colour a to colour b passes one half, searched within [from, to]; null if it never does. */
export function crossing(frames: Array<{ t: number; rgb: RGB }>, a: RGB, b: RGB, from: number, to: number): number | null {
  const ab = b.map((v, k) => v - a[k]!);
  const len2 = ab.reduce((s, v) => s + v * v, 0);
  const mix = (c: RGB) => c.reduce((s, v, k) => s + (v - a[k]!) * ab[k]!, 0) / len2;
  const window = frames.filter((f) => f.t >= from && f.t <= to);
  for (let i = 1; i < window.length; i++) {
    const [p, q] = [window[i - 1]!, window[i]!];
    const [mp, mq] = [mix(p.rgb), mix(q.rgb)];
    if (mp < 0.5 && mq >= 0.5) return p.t + ((0.5 - mp) / (mq - mp)) * (q.t - p.t);
  }
  return null;
}

export async function runExportDrift(ctx: AppContext, userId: string, clipSeconds?: number[]): Promise<ExportDrift> {
  const { project, plan } = await seedBeatProject(ctx, userId, clipSeconds);
  const row = await ctx.db.selectFrom('projects').selectAll().where('id', '=', project.id).executeTakeFirstOrThrow();
  const exp = await startExport(ctx, row, { resolution: 720, shape: 'project' });
  await runExport(ctx, exp.id);
  const done = await ctx.db.selectFrom('exports').selectAll().where('id', '=', exp.id).executeTakeFirstOrThrow();
  if (done.status !== 'ready' || !done.object_key) throw new Error(`export ended ${done.status}: ${done.error_message ?? ''}`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-beat-export-'));
  try {
    const file = path.join(dir, 'export.mp4');
    await pipeline(await ctx.storage.get(done.object_key), createWriteStream(file));
    const frames = await cornerColours(file);
    const segs = plan.segments;
    // Each clip's own colour, from the middle of the part where it is shown alone.
    const solo = segs.map((s, i) => nearest(frames, ((i > 0 ? segs[i - 1]!.endS : 0) + (segs[i + 1]?.startS ?? s.endS)) / 2).rgb);
    const seen = segs.slice(0, -1).map((s, i) => crossing(frames, solo[i]!, solo[i + 1]!, segs[i + 1]!.startS - 0.5, s.endS + 0.5));
    const errors = cutErrors(segs.slice(0, -1).map((s) => s.cutS!), seen);
    const fps = frames.length > 1 ? Math.round((frames.length - 1) / (frames.at(-1)!.t - frames[0]!.t)) : 0;
    const result: ExportDrift = {
      projectId: project.id,
      colours: solo.map(nameOf),
      errors,
      worstMs: worstMs(errors),
      frames: frames.length,
      fps,
      plan: { startS: segs.map((s) => s.startS), cutS: segs.map((s) => s.cutS), outS: segs.map((s) => s.outS), totalS: plan.totalS },
      durationS: done.duration_s,
    };
    await writeDrift('export', result);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
