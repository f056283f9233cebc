import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ffmpegPath } from '../../src/platform/ffmpeg.js';
import type { AppContext } from '../../src/platform/context.js';
import { storageKeys } from '../../src/storage/index.js';

const exec = promisify(execFile);

export interface ClickTrackOptions {
  bpm?: number;
  seconds?: number;
  /** Time of the first click. */
  firstBeatS?: number;
  /** Which click (0-based) of every four is accented: the downbeat. */
  accentPhase?: number;
}

/** The click times a click track built with these options contains. */
export function clickTimes(opts: ClickTrackOptions = {}): number[] {
  const { bpm = 120, seconds = 24, firstBeatS = 0.25 } = opts;
  const out: number[] = [];
  for (let t = firstBeatS; t < seconds - 0.05; t += 60 / bpm) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

/**
 * An MP3 click track made by ffmpeg: 20 ms 1.5 kHz blips every beat, every fourth one twice as
 * loud (the bar start). Returns the file's bytes.
 */
export async function clickTrack(opts: ClickTrackOptions = {}): Promise<Buffer> {
  const { bpm = 120, seconds = 24, firstBeatS = 0.25, accentPhase = 0 } = opts;
  const period = 60 / bpm;
  // Phase in the bar, shifted so `mod` never sees a negative time.
  const shift = 4 * period * 10 - firstBeatS;
  const inBeat = `mod(t+${shift},${period})`;
  const inBar = `mod(t+${shift}-${accentPhase * period},${4 * period})`;
  const expr = `if(lt(${inBeat},0.02),if(lt(${inBar},0.02),0.9,0.45)*sin(2*PI*1500*t)*exp(-${inBeat}*250),0)`;
  return render(['-f', 'lavfi', '-i', `aevalsrc='${expr}':s=44100:d=${seconds}`]);
}

/** White noise or a steady tone: sound without a beat. */
export function noBeatTrack(kind: 'noise' | 'sine', seconds = 15): Promise<Buffer> {
  const src = kind === 'noise' ? `anoisesrc=d=${seconds}:c=white:a=0.3` : `sine=f=440:d=${seconds}`;
  return render(['-f', 'lavfi', '-i', src]);
}

async function render(input: string[]): Promise<Buffer> {
  const file = path.join(os.tmpdir(), `echoes-track-${randomUUID()}.mp3`);
  try {
    await exec(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...input, '-c:a', 'libmp3lame', '-b:a', '128k', file]);
    return await readFile(file);
  } finally {
    await rm(file, { force: true });
  }
}

/** Stores a track as the project's music, as the upload route does. */
export async function attachMusic(ctx: AppContext, project: { id: string; user_id: string }, bytes: Buffer, durationS: number, name = 'track.mp3'): Promise<string> {
  const key = storageKeys.music(project.user_id, project.id, `${randomUUID()}.mp3`);
  await ctx.storage.put(key, bytes, 'audio/mpeg');
  await ctx.db.updateTable('projects').set({ music_key: key, music_name: name, music_duration_s: durationS }).where('id', '=', project.id).execute();
  return key;
}
