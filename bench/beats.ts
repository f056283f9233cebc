// Beat analysis of a 4-minute song: wall time of the job's work (decode with ffmpeg + analysis) and
// the worst beat error against a synthetic 120 BPM click track whose click times are known exactly.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { analyseFile } from '../src/beats/dsp/analyse-file.js';
import { ffmpegPath } from '../src/platform/ffmpeg.js';
import { print } from './_support.js';

const exec = promisify(execFile);
const SECONDS = 240;
const PERIOD = 0.5; // 120 BPM
const FIRST = 0.25;

async function clickTrackMp3(file: string): Promise<void> {
  // A kick-like low thump under each click, and every 4th click louder, so it resembles a beat more than a metronome.
  const beat = `mod(t+${20 - FIRST},${PERIOD})`;
  const bar = `mod(t+${20 - FIRST},${PERIOD * 4})`;
  const expr = `if(lt(${beat},0.06),if(lt(${bar},0.06),0.9,0.5)*(0.6*sin(2*PI*1500*t)*exp(-${beat}*250)+0.4*sin(2*PI*70*${beat})*exp(-${beat}*40)),0)+0.02*sin(2*PI*220*t)`;
  await exec(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${expr}':s=44100:d=${SECONDS}`, '-c:a', 'libmp3lame', '-b:a', '192k', file]);
}

export async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-beats-'));
  try {
    const file = path.join(dir, 'click.mp3');
    await clickTrackMp3(file);
    const runs: number[] = [];
    let result = await analyseFile(ffmpegPath(), file);
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      result = await analyseFile(ffmpegPath(), file);
      runs.push((performance.now() - started) / 1000);
    }
    const truth = Array.from({ length: Math.floor((SECONDS - FIRST) / PERIOD) + 1 }, (_, i) => FIRST + i * PERIOD).filter((t) => t < SECONDS);
    // Each true beat against the nearest found one, and each found one against the nearest truth.
    const nearest = (t: number, list: number[]) => Math.min(...list.map((x) => Math.abs(x - t)));
    const worst = Math.max(...truth.map((t) => nearest(t, result.beats)), ...result.beats.map((b) => nearest(b, truth)));
    print('beat_analysis_seconds_per_4min_song', Math.min(...runs), 's');
    print('beat_max_error_ms', worst * 1000, 'ms');
    print('beat_tempo_bpm', result.tempoBpm ?? 0, 'bpm');
    // Wall time depends on what else the machine runs; this says how busy it was.
    print('beat_bench_load_average', os.loadavg()[0]!, 'load');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
