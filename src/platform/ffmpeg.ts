import os from 'node:os';
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Whether an executable of this name is on PATH. Looked up, not run: running `ffmpeg -version`
 * costs seconds on a busy machine, and every process resolves its binaries as it starts.
 */
function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(path.join(dir, bin), constants.X_OK);
      return statSync(path.join(dir, bin)).isFile();
    } catch {
      return false;
    }
  });
}

function bundled(pkg: string): string | null {
  try {
    return (require(pkg) as { path: string }).path;
  } catch {
    return null;
  }
}

const cache = new Map<string, string>();

function find(name: 'ffmpeg' | 'ffprobe', configured: string | undefined): string {
  const key = `${name}:${configured ?? ''}`;
  if (!cache.has(key)) cache.set(key, configured ?? (onPath(name) ? name : bundled(`@${name}-installer/${name}`) ?? name));
  return cache.get(key)!;
}

/**
 * The ffmpeg to run: FFMPEG_PATH, else the system's (newer, has xfade), else the one shipped in
 * the npm package (@ffmpeg-installer), so a fresh machine works without installing anything.
 */
export function ffmpegPath(configured?: string): string {
  return find('ffmpeg', configured);
}

/** ffprobe, found the same way (FFPROBE_PATH, system, @ffprobe-installer). */
export function ffprobePath(configured?: string): string {
  return find('ffprobe', configured);
}

/** The binaries this process runs; resolved once when the context is built (ctx.ffmpeg). */
export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

export function resolveFfmpeg(config: { FFMPEG_PATH?: string; FFPROBE_PATH?: string }): FfmpegBinaries {
  return { ffmpeg: ffmpegPath(config.FFMPEG_PATH), ffprobe: ffprobePath(config.FFPROBE_PATH) };
}

/**
 * The demuxer for each kind of file we hand ffmpeg, by the extension we gave it from its sniffed
 * (or our own) type. Left to guess, ffmpeg reads whatever it recognises: an ID3 header followed by
 * an HLS playlist makes it the `hls` demuxer, which opens the files and URLs the playlist names.
 */
const DEMUXERS: Record<string, string> = {
  mp3: 'mp3', m4a: 'mov', mp4: 'mov', aac: 'aac', wav: 'wav', ogg: 'ogg',
  jpg: 'image2', jpeg: 'image2', png: 'image2', webp: 'image2',
};

/**
 * `-i file` for a file that came from a person or a provider: only the file protocol (a playlist
 * inside cannot reach the network) and the demuxer its type calls for, forced. `kind` names the
 * type when the file's own name carries no extension.
 */
export function inputOf(file: string, kind?: string): string[] {
  const ext = (kind ?? /\.([a-z0-9]+)$/i.exec(file)?.[1] ?? '').toLowerCase();
  const demuxer = DEMUXERS[ext];
  if (!demuxer) throw new Error(`no demuxer known for ${kind ? `kind ${kind}` : file}`);
  return ['-protocol_whitelist', 'file', '-f', demuxer, '-i', file];
}

export interface RunResult {
  code: number;
  stderr: string;
}

/**
 * Runs a binary, keeping the last 8 KB of stderr for error messages; onStdout gets progress lines,
 * onData the raw stdout bytes (decoded audio).
 * niceness (1..19) lowers its CPU priority, so background renders yield to the rest.
 */
export function run(
  bin: string,
  args: string[],
  opts: { onStdout?: (line: string) => void; onData?: (chunk: Buffer) => void; signal?: AbortSignal; niceness?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    if (opts.niceness && child.pid) {
      try {
        os.setPriority(child.pid, opts.niceness);
      } catch {
        // Not permitted here: it simply runs at normal priority.
      }
    }
    let stderr = '';
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      opts.onData?.(d);
      if (!opts.onStdout) return;
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      lines.forEach((l) => opts.onStdout!(l));
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
