import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';

export type AudioFormat = 'mp3' | 'wav' | 'ogg' | 'm4a';

const CODEC: Record<AudioFormat, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  wav: ['-c:a', 'pcm_s16le'],
  ogg: ['-c:a', 'libvorbis'],
  m4a: ['-c:a', 'aac', '-b:a', '64k'],
};

/** Short sine tones made by ffmpeg, in every accepted format (plus any length asked for). */
export async function makeTones(seconds = 1.5, rate = 22050): Promise<{ files: Record<AudioFormat, Buffer>; tone(fmt: AudioFormat, s: number, r?: number): Promise<Buffer>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-tones-'));
  let n = 0;
  async function tone(fmt: AudioFormat, s: number, r = rate): Promise<Buffer> {
    const out = path.join(dir, `t${n++}.${fmt}`);
    const res = await run(ffmpegPath(), ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${s}`, '-ar', String(r), '-ac', '1', ...CODEC[fmt], out]);
    if (res.code !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
    return readFile(out);
  }
  const files = {} as Record<AudioFormat, Buffer>;
  for (const fmt of ['mp3', 'wav', 'ogg', 'm4a'] as const) files[fmt] = await tone(fmt, seconds);
  return { files, tone, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
