import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

/** One piece of the film: film frames [fromFrame, fromFrame + frames), rendered by its own ffmpeg. */
export interface RenderPiece {
  args: string[];
  fromFrame: number;
  frames: number;
  output: string;
}

export interface RenderPlan {
  /** Rendered side by side (RENDER_PARALLEL at a time), each with at most two clips open. */
  pieces: RenderPiece[];
  /** Joins the pieces (stream copy, no re-encode) and adds the one audio track. */
  join: string[];
  /** The concat list the join reads, and its text. */
  list: { path: string; text: string };
  totalS: number;
  totalFrames: number;
  /** Where each transition starts on the output timeline (the timeline's, in seconds). */
  offsets: number[];
  fadeS: number;
}

/**
 * Pieces rendered at once: two keep both cores of the 2-core server busy (x264 with one thread
 * each is cheaper in CPU than one x264 with two), and memory is two pieces' worth whatever the film's length.
 */
export const RENDER_PARALLEL = Math.max(1, Math.min(2, os.availableParallelism()));

const us = (n: number) => n.toFixed(6);

/**
 * The ffmpeg commands for one export (decision 0035). The film is cut into pieces, one per clip:
 * piece i holds clip i from the end of the transition into it to the end of the transition out of
 * it, the start of clip i+1 blended in by that transition's xfade. Pieces are rendered side by side
 * and joined without re-encoding (concat demuxer), then the audio is added: the music padded or
 * trimmed to the video's length with a fade-out, or silence, so the file always has exactly one
 * video and one audio stream (clip audio is ignored: generated clips have none).
 *
 * Every time comes from the film's timeline (src/film/render-timeline.ts), put on the film's frame
 * grid once (frame f is at f / rate), so the pieces meet exactly: no frame twice, none missing. Each
 * clip is read from its own seek point (`-ss`, decoding only what the piece shows), re-timed from 0
 * (a clip already at the film's rate is only re-timed, nothing duplicated or dropped; another is
 * converted once, by frame blending), scaled to cover the frame and cropped around its focal point
 * (never letterboxed). A piece holds at most two clips open with one decoder thread each, so memory
 * does not grow with the film.
 */
export function buildRender(input: RenderInput): RenderPlan {
  const { clips, timeline } = input;
  if (clips.length === 0) throw new Error('nothing to render');
  if (timeline.segments.length !== clips.length) throw new Error('the timeline does not match the clips');
  const W = even(input.width);
  const H = even(input.height);
  const rate = input.frameRate;
  const [num, den = '1'] = rate.split('/');
  const fps = Number(num) / Number(den);
  const frameAt = (t: number) => Math.max(0, Math.round(t * fps));
  const segs = timeline.segments;
  const last = clips.length - 1;
  const fadeS = clips.length > 1 ? timeline.crossfadeS : 0;
  const totalFrames = Math.max(1, frameAt(timeline.totalS));
  // Piece i ends where clip i ends on the film (the last: where the film does).
  const ends = segs.map((seg, i) => (i === last ? totalFrames : Math.min(totalFrames, frameAt(seg.endS))));
  const dir = path.dirname(input.output);
  const base = path.basename(input.output, path.extname(input.output));
  const x264Threads = clips.length >= RENDER_PARALLEL ? 1 : 2;

  const fit = (i: number) => {
    const clip = clips[i]!;
    const retime = clip.fps > 0 && normaliseRate(clip.fps).rate === rate ? `fps=${rate}` : `framerate=fps=${rate}`;
    const { sw, sh, x, y } = coverCrop(clip, W, H);
    return { retime, fitTo: `scale=${sw}:${sh},crop=${W}:${H}:${x}:${y},setsar=1,format=yuv420p` };
  };
  /**
   * Where clip i's file is at film frame f: its in point plus the time since it appeared, less just
   * under half a frame, so the seek keeps the nearest frame (the same rule for every piece: a clip
   * split over two pieces continues frame by frame; 1/1024 keeps the threshold off the microsecond grid).
   */
  const seekOf = (i: number, f: number) => Math.max(0, segs[i]!.inS + f / fps - segs[i]!.startS - (0.5 - 1 / 1024) / fps);
  /** Clip i from film frame `from`, `frames` long plus two clones (xfade ends a transition only on a frame of the outgoing clip past it; a file shorter than its timeline still fills its piece). */
  const chain = (i: number, stream: number, frames: number, label: string) => {
    const { retime, fitTo } = fit(i);
    return `[${stream}:v]setpts=PTS-STARTPTS,${retime},tpad=stop=-1:stop_mode=clone,trim=end_frame=${frames + 2},${fitTo}[${label}]`;
  };

  const pieces: RenderPiece[] = [];
  segs.forEach((seg, i) => {
    const from = i === 0 ? 0 : ends[i - 1]!;
    const frames = ends[i]! - from;
    if (frames <= 0) return;
    const t = seg.transition ?? { kind: 'crossfade' as const, s: fadeS };
    const next = segs[i + 1];
    // The next clip appears before this piece ends: the transition, blended here.
    const nextFrom = next ? frameAt(next.startS) : ends[i]!;
    const blendFrames = i < last && t.kind !== 'cut' && t.s > 0 ? Math.min(frames, ends[i]! - nextFrom) : 0;
    const output = path.join(dir, `${base}.piece-${i}.mp4`);
    const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
    // One decoding thread per clip: frame threads multiply the decoded frames each open clip holds.
    args.push('-threads', '1', '-ss', us(seekOf(i, from)), ...inputOf(clips[i]!.path, 'mp4')); // our own MP4s, whatever their names
    let graph: string;
    if (blendFrames > 0) {
      args.push('-threads', '1', '-ss', us(seekOf(i + 1, nextFrom)), ...inputOf(clips[i + 1]!.path, 'mp4'));
      const kind = XFADE[t.kind as Exclude<typeof t.kind, 'cut'>];
      graph = `${chain(i, 0, frames, 'a')};${chain(i + 1, 1, blendFrames, 'b')};` +
        `[a][b]xfade=transition=${kind}:duration=${us(blendFrames / fps)}:offset=${us((frames - blendFrames) / fps)}[v]`;
    } else {
      graph = chain(i, 0, frames, 'v');
    }
    args.push(
      '-filter_complex', graph,
      '-filter_complex_threads', '1',
      '-map', '[v]', '-frames:v', String(frames), '-an',
      '-c:v', 'libx264', '-preset', input.preset ?? 'veryfast', '-crf', String(VIDEO_CRF),
      '-maxrate', `${input.maxKbps}k`, '-bufsize', `${input.maxKbps * 2}k`, '-threads', String(x264Threads),
      '-pix_fmt', 'yuv420p', '-r', rate,
      '-progress', 'pipe:1', '-nostats',
      output,
    );
    pieces.push({ args, fromFrame: from, frames, output });
  });

  const videoS = totalFrames / fps;
  // Each piece's length given, not read from its file: the pieces sit exactly on the frame grid.
  const list = {
    path: path.join(dir, `${base}.pieces.txt`),
    text: pieces.map((p) => `file '${p.output.replace(/'/g, `'\\''`)}'\nduration ${us(p.frames / fps)}\n`).join(''),
  };
  const { musicFadeOut } = timeline;
  const join = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file', '-i', list.path];
  let audio: string;
  if (input.musicPath) {
    join.push(...inputOf(input.musicPath));
    audio =
      `[1:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,` +
      `atrim=duration=${sec(videoS)},afade=t=out:st=${sec(musicFadeOut.startS)}:d=${sec(musicFadeOut.durationS)},asetpts=PTS-STARTPTS[aout]`;
  } else {
    audio = `anullsrc=r=48000:cl=stereo,atrim=duration=${sec(videoS)}[aout]`;
  }
  join.push(
    '-filter_complex', audio,
    '-map', '0:v', '-map', '[aout]',
    '-c:v', 'copy',
    '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ar', '48000', '-ac', '2',
    '-t', us(videoS),
    '-movflags', '+faststart',
    '-progress', 'pipe:1', '-nostats',
    input.output,
  );
  const offsets = segs.slice(1).map((seg) => seg.startS);
  return { pieces, join, list, totalS: timeline.totalS, totalFrames, offsets, fadeS };
}

/** Exports render at a lower CPU priority than generation (the local provider's ffmpeg) and pages. */
export const EXPORT_NICENESS = 10;

/**
 * Runs the plan: the pieces RENDER_PARALLEL at a time, then the join; onProgress gets 0..1 from
 * ffmpeg's own `-progress` output (frames rendered over the film's frames; 1 once the file is
 * written). Throws with ffmpeg's last words when it fails (the other pieces are stopped). The
 * pieces and their list are removed afterwards.
 */
export async function runRender(ffmpeg: string, plan: RenderPlan, opts: { onProgress?: (p: number) => void; signal?: AbortSignal } = {}): Promise<void> {
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const done = new Array<number>(plan.pieces.length).fill(0);
  const report = () => opts.onProgress?.(Math.min(0.99, (0.98 * done.reduce((a, b) => a + b, 0)) / plan.totalFrames));
  const runOne = async (args: string[], onFrame?: (frame: number) => void) => {
    const res = await run(ffmpeg, args, {
      signal,
      niceness: EXPORT_NICENESS,
      onStdout: (line) => {
        const m = /^frame=(\d+)/.exec(line);
        if (m && onFrame) onFrame(Number(m[1]));
      },
    }).catch((err: Error) => {
      if (stop.signal.aborted && !opts.signal?.aborted) return { code: -1, stderr: 'stopped: another piece failed' };
      throw err;
    });
    if (res.code !== 0) {
      stop.abort();
      const detail = res.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`ffmpeg exited with code ${res.code}: ${detail}`);
    }
  };
  try {
    let next = 0;
    const worker = async () => {
      while (next < plan.pieces.length && !stop.signal.aborted) {
        const i = next++;
        await runOne(plan.pieces[i]!.args, (f) => {
          done[i] = Math.min(f, plan.pieces[i]!.frames);
          report();
        });
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(RENDER_PARALLEL, plan.pieces.length) }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !/stopped: another piece failed/.test(String(r.reason)));
    if (failed) throw failed.reason;
    const stopped = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (stopped) throw stopped.reason;
    await writeFile(plan.list.path, plan.list.text);
    await runOne(plan.join);
    opts.onProgress?.(1);
  } finally {
    await Promise.all([plan.list.path, ...plan.pieces.map((p) => p.output)].map((f) => rm(f, { force: true })));
  }
}
