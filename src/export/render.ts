import { run } from '../platform/ffmpeg.js';
import { CROSSFADE_S } from '../music/plan.js';

/** The crossfade between clips, in seconds: the cut plan's, which the player uses too. */
export { CROSSFADE_S };
export const MUSIC_FADE_OUT_S = 1.5;
export const OUTPUT_FPS = 30;

export interface RenderInput {
  clips: Array<{ path: string; durationS: number }>;
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
 */
export function buildRender(input: RenderInput): RenderPlan {
  const { clips } = input;
  if (clips.length === 0) throw new Error('nothing to render');
  const W = even(input.width);
  const H = even(input.height);
  // A crossfade never eats more than half of the shortest clip it touches.
  const shortest = Math.min(...clips.map((c) => c.durationS));
  const fadeS = clips.length > 1 ? Math.min(CROSSFADE_S, shortest / 2) : 0;

  const filters: string[] = [];
  clips.forEach((clip, i) => {
    filters.push(
      `[${i}:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=black,` +
        `setsar=1,fps=${OUTPUT_FPS},format=yuv420p,trim=duration=${sec(clip.durationS)},setpts=PTS-STARTPTS[v${i}]`,
    );
  });

  const offsets: number[] = [];
  let last = 'v0';
  let elapsed = clips[0]!.durationS;
  for (let i = 1; i < clips.length; i++) {
    const offset = elapsed - fadeS;
    offsets.push(offset);
    const out = i === clips.length - 1 ? 'vout' : `x${i}`;
    filters.push(`[${last}][v${i}]xfade=transition=fade:duration=${sec(fadeS)}:offset=${sec(offset)}[${out}]`);
    last = out;
    elapsed = offset + clips[i]!.durationS;
  }
  if (clips.length === 1) filters.push('[v0]null[vout]');
  const totalS = elapsed;

  const fadeOut = Math.min(MUSIC_FADE_OUT_S, totalS);
  if (input.musicPath) {
    filters.push(
      `[${clips.length}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,` +
        `atrim=duration=${sec(totalS)},afade=t=out:st=${sec(totalS - fadeOut)}:d=${sec(fadeOut)},asetpts=PTS-STARTPTS[aout]`,
    );
  } else {
    filters.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${sec(totalS)}[aout]`);
  }

  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  for (const clip of clips) args.push('-i', clip.path);
  if (input.musicPath) args.push('-i', input.musicPath);
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
