import os from 'node:os';
import { Piscina } from 'piscina';
import type { TrackAnalysis } from './analysis.js';
import type { ThreadTask } from './thread.js';

type RunOptions = NonNullable<Parameters<Piscina['run']>[1]>;

// Run as TypeScript (tsx) in dev, tests and `npm start`; as .js if ever compiled.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const THREAD_FILE = new URL(`./thread${ext}`, import.meta.url).href;

let pool: Piscina | null = null;

/**
 * A thread needs the TypeScript loader to load a .ts file. `node --import tsx` passes it on through
 * execArgv; a process that loads TypeScript its own way (vitest) does not, so it is added.
 */
function threadExecArgv(): string[] {
  const argv = process.execArgv;
  if (ext === '.js' || argv.some((a, i) => /^--(import|loader)=tsx\b/.test(a) || (/^--(import|loader)$/.test(a) && argv[i + 1]?.startsWith('tsx')))) return argv;
  return [...argv, '--import', 'tsx'];
}

/** One thread on 2 cores (the other keeps the web process and ffmpeg going), else all but one. */
export function analysisThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** The process's analysis pool, started on first use so a web process that never analyses starts none. */
function analysisPool(): Piscina {
  pool ??= new Piscina({
    filename: THREAD_FILE,
    execArgv: threadExecArgv(),
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
