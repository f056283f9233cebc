import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { ROOT } from '../../platform/paths.js';
import { threadExecArgv } from '../../platform/thread-argv.js';
import type { TrackAnalysis } from './analysis.js';
import type { ThreadTask } from './thread.js';

type RunOptions = NonNullable<Parameters<Piscina['run']>[1]>;

// TypeScript (tsx) under vitest and tsx; compiled (`npm start`, the image), this code is inside a
// bundle and the thread is its own bundle at a fixed place (scripts/build.mjs).
const fromSource = import.meta.url.endsWith('.ts');
const THREAD_FILE = fromSource ? new URL('./thread.ts', import.meta.url).href : pathToFileURL(path.join(ROOT, 'dist/src/beats/dsp/thread.js')).href;

let pool: Piscina | null = null;

/** One thread on 2 cores (the other keeps the web process and ffmpeg going), else all but one. */
export function analysisThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** The process's analysis pool, started on first use so a web process that never analyses starts none. */
function analysisPool(): Piscina {
  pool ??= new Piscina({
    filename: THREAD_FILE,
    // Only loader flags: Node refuses the web process's V8 flags in a thread (thread-argv.ts).
    execArgv: threadExecArgv(process.execArgv, fromSource),
    minThreads: 0,
    maxThreads: analysisThreads(),
    // An idle thread (a ~30 MB isolate) goes after a minute; the next track starts one again.
    idleTimeout: 60_000,
  });
  return pool;
}

/**
 * Analyses decoded PCM in the pool. The samples' buffer is moved to the thread, not copied (a
 * 10-minute track is 53 MB), so the caller must not use `samples` afterwards.
 */
export function analyseInThread(samples: Float32Array, rate: number): Promise<TrackAnalysis> {
  const task: ThreadTask = { samples, rate };
  // piscina types transferList after an older MessagePort.postMessage signature.
  const transferList = [samples.buffer] as unknown as RunOptions['transferList'];
  return analysisPool().run(task, { transferList });
}

/** Stops the pool's threads (after the running tasks); the next analysis starts a new pool. */
export async function closeAnalysisPool(): Promise<void> {
  const closing = pool;
  pool = null;
  await closing?.close();
}
