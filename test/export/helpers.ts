import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffprobePath, run } from '../../src/platform/ffmpeg.js';

export interface ProbedFile {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string; r_frame_rate?: string; nb_frames?: string }>;
  format: { duration: string };
}

/** ffprobe's own JSON for a file, as an outside checker would read it. */
export async function ffprobeJson(file: string): Promise<ProbedFile> {
  let out = '';
  const res = await run(ffprobePath(), ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { onStdout: (l) => (out += l + '\n') });
  if (res.code !== 0) throw new Error(res.stderr);
  return JSON.parse(out) as ProbedFile;
}

/** The order of an MP4's top-level boxes (faststart puts moov before mdat). */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const buf = await readFile(file);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(at);
    boxes.push(buf.toString('latin1', at + 4, at + 8));
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

/** Temp folders an export left behind. */
export async function leftoverTempDirs(exportId: string): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((n) => n.startsWith(`echoes-export-${exportId}-`));
}

export function localObjectPath(dataDir: string, key: string): string {
  return path.join(dataDir, 'objects', key);
}
