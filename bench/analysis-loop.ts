// The web process's event-loop delay while a 10-minute track is analysed in it (RUN_WORKERS=true,
// the default): the job's work (ffmpeg decode + analysis on the pool's thread) as the analysis
// processor runs it, measured with perf_hooks.monitorEventLoopDelay. For comparison, the same
// PCM analysed on the loop itself, as before the pool (docs/decisions/0020-dsp-in-worker-threads.md).
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { analyseFile } from '../src/beats/dsp/analyse-file.js';
import { analyseSamples } from '../src/beats/dsp/analysis.js';
import { ANALYSIS_RATE, decodeMono } from '../src/beats/dsp/decode.js';
import { closeAnalysisPool } from '../src/beats/dsp/pool.js';
import { ffmpegPath } from '../src/platform/ffmpeg.js';
import { clickTrack } from '../test/factories/beats.js';
import { print } from './_support.js';

const SECONDS = 600;

async function measured<T>(work: () => Promise<T>): Promise<{ result: T; delay: ReturnType<typeof monitorEventLoopDelay>; wallS: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const started = performance.now();
  delay.enable();
  const result = await work();
  delay.disable();
  return { result, delay, wallS: (performance.now() - started) / 1000 };
}

const ms = (ns: number) => ns / 1e6;

export async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-loop-'));
  try {
    const file = path.join(dir, 'click.mp3');
    await writeFile(file, await clickTrack({ bpm: 120, seconds: SECONDS }));

    const now = await measured(() => analyseFile(ffmpegPath(), file));
    if (now.result.status !== 'ready') throw new Error(`expected a beat, got ${now.result.status}`);
    print('analysis_loop_delay_p99', ms(now.delay.percentile(99)), 'ms');
    print('analysis_loop_delay_max', ms(now.delay.max), 'ms');
    print('analysis_10min_wall', now.wallS, 's');

    const samples = await decodeMono(ffmpegPath(), file, { rate: ANALYSIS_RATE });
    const before = await measured(() => analyseSamples(samples, ANALYSIS_RATE));
    print('analysis_on_loop_delay_p99', ms(before.delay.percentile(99)), 'ms');
    print('analysis_on_loop_delay_max', ms(before.delay.max), 'ms');
    // Delays include what else the machine runs; this says how busy it was.
    print('analysis_loop_bench_load_average', os.loadavg()[0]!, 'load');
  } finally {
    await closeAnalysisPool();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
