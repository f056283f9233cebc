// Cold start: from `npm start` to the first 200 on /healthz, database already migrated, workers
// in-process (the defaults), on a quiet machine and on a busy one (two busy-looping processes, one
// per core of a 2-core CI machine). Also the previous way (TypeScript through tsx at every start)
// for comparison. Prints `name: value unit` lines; BENCH_COLD_RUNS runs per figure (default 5).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, freshDatabase, print } from './_support.js';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);

const WAYS: Record<string, { cmd: string; args: string[] }> = {
  'npm start': { cmd: 'npm', args: ['start', '--silent'] },
  'tsx (before)': { cmd: process.execPath, args: ['--max-semi-space-size=64', '--import', 'tsx', 'src/server.ts'] },
};

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Milliseconds from spawning `way` to its first 200 on /healthz. */
async function oneStart(way: { cmd: string; args: string[] }, databaseUrl: string): Promise<number> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-cold-'));
  const started = performance.now();
  // Its own process group, so npm's children stop with it.
  const child = spawn(way.cmd, way.args, {
    env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, DATA_DIR: dataDir, QUEUE_PREFIX: `cold-${process.pid}`, LOG_LEVEL: 'silent', NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${way.cmd} ${way.args.join(' ')} exited with ${child.exitCode}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (res?.status === 200) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Two processes spinning a core each, the "busy" machine. */
function burnCores(): () => Promise<void> {
  const burners = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  return async () => {
    for (const b of burners) b.kill('SIGKILL');
    await Promise.all(burners.map(exited));
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const db = await freshDatabase(`echoes_bench_cold_${process.pid}`);
try {
  for (const load of ['quiet', 'busy'] as const) {
    const stopBurning = load === 'busy' ? burnCores() : null;
    try {
      for (const [name, way] of Object.entries(WAYS)) {
        await oneStart(way, db.url); // warms the file cache, as a second start would be
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) times.push(await oneStart(way, db.url));
        print(`cold start ${name}, ${load}, median`, Math.round(median(times)), 'ms');
        print(`cold start ${name}, ${load}, min`, Math.round(Math.min(...times)), 'ms');
        print(`cold start ${name}, ${load}, max`, Math.round(Math.max(...times)), 'ms');
      }
    } finally {
      await stopBurning?.();
    }
  }
} finally {
  await db.drop();
}
