import { inputOf, run } from '../platform/ffmpeg.js';
import type { RenderTimeline } from '../film/render-timeline.js';
import { XFADE } from '../transitions/kinds.js';
import { AUDIO_KBPS, normaliseRate, VIDEO_CRF } from './options.js';

export interface RenderClip {
  path: string;
  /** The file's frame size and rate (ffprobe). */
  width: number;
  height: number;
  fps: number;
  /** The point kept in frame when the clip is cropped to the film's shape (0–1 across and down); the centre by default. */
  focus?: { x: number; y: number };
  /** The clip plays a free draft take: the film's draft mark is burnt into it. */
  draft?: boolean;
}

export interface RenderInput {
  /** The clip files, in the film's order. */
  clips: RenderClip[];
  /** Where each is shown, the crossfade and the music's fade: src/film's, never computed here. */
  timeline: RenderTimeline;
  musicPath: string | null;
  /** The film's frame (options.ts frameSize): every clip fills it, cropped around its focal point. */
  width: number;
  height: number;
  /** The film's frame rate (options.ts filmFrameRate), e.g. "24/1". */
  frameRate: string;
  /** The video bitrate cap (options.ts videoMaxKbps). */
  maxKbps: number;
  output: string;
  preset?: string;
  /** The draft mark (draft-mark.ts), a PNG at film size, and where it goes in the frame: needed when a clip is a draft. */
  draftMark?: { path: string; x: number; y: number };
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
const clamp01 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 0.5 : Math.min(1, Math.max(0, v)));

/**
 * How a clip fills a W×H frame without bars: scaled until it covers the frame, then cropped, the
 * window placed so the focal point is as near its middle as the picture allows.
 */
export function coverCrop(clip: Pick<RenderClip, 'width' | 'height' | 'focus'>, W: number, H: number) {
  const w = clip.width > 0 ? clip.width : W;
  const h = clip.height > 0 ? clip.height : H;
  const scale = Math.max(W / w, H / h);
  const sw = Math.max(W, Math.ceil((w * scale) / 2) * 2);
  const sh = Math.max(H, Math.ceil((h * scale) / 2) * 2);
  const x = Math.round(Math.min(sw - W, Math.max(0, clamp01(clip.focus?.x) * sw - W / 2)));
  const y = Math.round(Math.min(sh - H, Math.max(0, clamp01(clip.focus?.y) * sh - H / 2)));
  return { sw, sh, x, y };
}

/**
 * The ffmpeg command for one export: every clip at the film's frame rate (a clip already at it is
 * only re-timed, nothing duplicated or dropped; another is converted once, by frame blending:
 * decision 0035), trimmed to its shown length, scaled to cover the film's frame and cropped around
 * its focal point (never letterboxed), joined with xfade crossfades, and one audio track: the music
 * padded or trimmed to the video's length with a fade-out, or silence when there is no music, so the
 * file always has exactly one video and one audio stream. Clip audio is ignored (generated clips have
 * none). Every time in the command comes from the film's timeline (src/film/render-timeline.ts).
 * Memory is bounded by one decoder thread per clip, one filter thread and two x264 threads.
 */
export function buildRender(input: RenderInput): RenderPlan {
  const { clips, timeline } = input;
  if (clips.length === 0) throw new Error('nothing to render');
  if (timeline.segments.length !== clips.length) throw new Error('the timeline does not match the clips');
  const W = even(input.width);
  const H = even(input.height);
  const rate = input.frameRate;
  const [num, den = '1'] = rate.split('/');
  const frameS = Number(den) / Number(num);
  const fadeS = clips.length > 1 ? timeline.crossfadeS : 0;

  const filters: string[] = [];
  // The draft mark is one still PNG, the last input; overlay holds its one frame for the whole clip.
  const drafts = clips.flatMap((c, i) => (c.draft ? [i] : []));
  if (drafts.length && !input.draftMark) throw new Error('draft clips need the draft mark');
  const markInput = clips.length + (input.musicPath ? 1 : 0);
  if (drafts.length === 1) filters.push(`[${markInput}:v]null[m${drafts[0]}]`);
  else if (drafts.length > 1) filters.push(`[${markInput}:v]split=${drafts.length}${drafts.map((i) => `[m${i}]`).join('')}`);
  timeline.segments.forEach((seg, i) => {
    const clip = clips[i]!;
    // `fps` at the clip's own rate only gives every clip the same time base (xfade needs it).
    const retime = clip.fps > 0 && normaliseRate(clip.fps).rate === rate ? `fps=${rate}` : `framerate=fps=${rate}`;
    const { sw, sh, x, y } = coverCrop(clip, W, H);
    // xfade ends a transition only on a frame of the outgoing clip past its end; without one it
    // shows the incoming clip's last blended frame twice. Two copies of the last frame, never seen.
    const pad = i < clips.length - 1 ? ',tpad=stop=2:stop_mode=clone' : '';
    const shown = `[${i}:v]${retime},trim=start=${sec(seg.inS)}:duration=${sec(seg.outS)},setpts=PTS-STARTPTS${pad},` + `scale=${sw}:${sh},crop=${W}:${H}:${x}:${y},setsar=1,format=yuv420p`;
    if (clip.draft) {
      const mark = input.draftMark!;
      filters.push(`${shown}[c${i}]`, `[c${i}][m${i}]overlay=x=${mark.x}:y=${mark.y}:eof_action=repeat,format=yuv420p[v${i}]`);
    } else {
      filters.push(`${shown}[v${i}]`);
    }
  });

  // Each transition starts where the next clip appears on the timeline: an xfade of its kind
  // (src/transitions/kinds.ts).
  const offsets = timeline.segments.slice(1).map((seg) => seg.startS);
  let last = 'v0';
  offsets.forEach((offset, n) => {
    const i = n + 1;
    const out = i === clips.length - 1 ? 'vout' : `x${i}`;
    const t = timeline.segments[n]!.transition ?? { kind: 'crossfade', s: fadeS };
    // A cut is one frame's blend into the outgoing clip's padding (above): the same join, no overlap to speak of.
    const [kind, length] = t.kind === 'cut' || t.s <= 0 ? ['fade', frameS] : [XFADE[t.kind], t.s];
    filters.push(`[${last}][v${i}]xfade=transition=${kind}:duration=${sec(length)}:offset=${sec(offset)}[${out}]`);
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
  // One decoding thread per clip: frame threads multiply the decoded frames each open clip holds.
  for (const clip of clips) args.push('-threads', '1', ...inputOf(clip.path, 'mp4')); // our own MP4s, whatever their names
  if (input.musicPath) args.push(...inputOf(input.musicPath));
  if (drafts.length) args.push(...inputOf(input.draftMark!.path, 'png'));
  args.push(
    '-filter_complex', filters.join(';'),
    '-filter_complex_threads', '1',
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', input.preset ?? 'veryfast', '-crf', String(VIDEO_CRF),
    '-maxrate', `${input.maxKbps}k`, '-bufsize', `${input.maxKbps * 2}k`, '-threads', '2',
    '-pix_fmt', 'yuv420p', '-r', rate,
    '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ar', '48000', '-ac', '2',
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
