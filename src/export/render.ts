import { inputOf, run } from '../platform/ffmpeg.js';
import type { RenderTimeline } from '../film/render-timeline.js';
import { XFADE } from '../transitions/kinds.js';

export const OUTPUT_FPS = 30;

export interface RenderInput {
  /** The clip files, in the film's order. */
  clips: Array<{ path: string }>;
  /** Where each is shown, the crossfade and the music's fade: src/film's, never computed here. */
  timeline: RenderTimeline;
  musicPath: string | null;
  /** The frame every clip is letterboxed onto (the first clip's size). */
  width: number;
  height: number;
  output: string;
  preset?: string;
}

export interface RenderPlan {
  args: string[];
  totalS: number;
  /** Where each crossfade starts on the output timeline. */
  offsets: number[];
  fadeS: number;
}

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
const sec = (n: number) => n.toFixed(3);

/**
 * The ffmpeg command for one export: every clip scaled and padded onto the first clip's frame at a
 * common fps and square pixels, joined with xfade crossfades, and one audio track: the music padded
 * or trimmed to the video's length with a fade-out, or silence when there is no music, so the file
 * always has exactly one video and one audio stream. Clip audio is ignored (generated clips have none).
 * Every time in the command comes from the film's timeline (src/film/render-timeline.ts).
 */
export function buildRender(input: RenderInput): RenderPlan {
  const { clips, timeline } = input;
  if (clips.length === 0) throw new Error('nothing to render');
  if (timeline.segments.length !== clips.length) throw new Error('the timeline does not match the clips');
  const W = even(input.width);
  const H = even(input.height);
  const fadeS = clips.length > 1 ? timeline.crossfadeS : 0;

  const filters: string[] = [];
  timeline.segments.forEach((seg, i) => {
    filters.push(
      `[${i}:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=black,` +
        `setsar=1,fps=${OUTPUT_FPS},format=yuv420p,trim=start=${sec(seg.inS)}:duration=${sec(seg.outS)},setpts=PTS-STARTPTS[v${i}]`,
    );
  });

  // Each transition starts where the next clip appears on the timeline: an xfade of its kind
  // (src/film/transition.ts), or for a cut the next clip simply follows.
  const offsets = timeline.segments.slice(1).map((seg) => seg.startS);
  let last = 'v0';
  offsets.forEach((offset, n) => {
    const i = n + 1;
    const out = i === clips.length - 1 ? 'vout' : `x${i}`;
    const t = timeline.segments[n]!.transition ?? { kind: 'crossfade', s: fadeS };
    if (t.kind === 'cut' || t.s <= 0) filters.push(`[${last}][v${i}]concat=n=2:v=1:a=0,settb=1/${OUTPUT_FPS}[${out}]`);
    else filters.push(`[${last}][v${i}]xfade=transition=${XFADE[t.kind]}:duration=${sec(t.s)}:offset=${sec(offset)}[${out}]`);
    last = out;
  });
  if (clips.length === 1) filters.push('[v0]null[vout]');
  const { totalS, musicFadeOut } = timeline;

  if (input.musicPath) {
    filters.push(
      `[${clips.length}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,` +
        `atrim=duration=${sec(totalS)},afade=t=out:st=${sec(musicFadeOut.startS)}:d=${sec(musicFadeOut.durationS)},asetpts=PTS-STARTPTS[aout]`,
    );
  } else {
    filters.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${sec(totalS)}[aout]`);
  }

  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  for (const clip of clips) args.push(...inputOf(clip.path, 'mp4')); // our own MP4s, whatever their names
  if (input.musicPath) args.push(...inputOf(input.musicPath));
  args.push(
    '-filter_complex', filters.join(';'),
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', input.preset ?? 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(OUTPUT_FPS),
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-t', sec(totalS),
    '-movflags', '+faststart',
    '-progress', 'pipe:1', '-nostats',
    input.output,
  );
  return { args, totalS, offsets, fadeS };
}

/** Exports render at a lower CPU priority than generation (the local provider's ffmpeg) and pages. */
export const EXPORT_NICENESS = 10;

/**
 * Runs the plan; onProgress gets 0..1 from ffmpeg's own `-progress` output (out_time over the
 * expected length). Throws with ffmpeg's last words when it fails.
 */
export async function runRender(ffmpeg: string, plan: RenderPlan, opts: { onProgress?: (p: number) => void; signal?: AbortSignal } = {}): Promise<void> {
  const res = await run(ffmpeg, plan.args, {
    signal: opts.signal,
    niceness: EXPORT_NICENESS,
    onStdout: (line) => {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m && opts.onProgress) opts.onProgress(Math.min(1, Number(m[1]) / 1e6 / plan.totalS));
    },
  });
  if (res.code !== 0) {
    const detail = res.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`ffmpeg exited with code ${res.code}: ${detail}`);
  }
}
