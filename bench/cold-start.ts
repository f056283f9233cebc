// Cold start: from `npm start` to the first 200 on /healthz, database already migrated, workers
// in-process (the defaults), on a quiet machine and on a busy one (two busy-looping processes, one
// per core of a 2-core CI machine). Also the previous way (TypeScript through tsx at every start)
// for comparison. Prints `name: value unit` lines; BENCH_COLD_RUNS runs per figure (default 5).
// Also the CPU (user + system) the start's processes used until that 200 (npm, its shell and the
// server, from /proc): on a shared machine a steadier figure than wall time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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

/** CPU ms used by the processes of a group, with their finished children (Linux /proc; USER_HZ 100). */
async function groupCpuMs(pgid: number): Promise<number> {
  let ticks = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    const f = stat?.split(') ')[1]?.split(' ');
    if (!f || Number(f[2]) !== pgid) continue;
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
  }
  return ticks * 10;
}

/** Milliseconds (wall, and CPU of its processes) from spawning `way` to its first 200 on /healthz. */
async function oneStart(way: { cmd: string; args: string[] }, databaseUrl: string): Promise<{ wall: number; cpu: number }> {
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
      if (res?.status === 200) {
        const wall = performance.now() - started;
        return { wall, cpu: await groupCpuMs(child.pid!) };
      }
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

print('load average at start', Math.round(os.loadavg()[0]! * 100) / 100, '');
const db = await freshDatabase(`echoes_bench_cold_${process.pid}`);
try {
  for (const load of ['quiet', 'busy'] as const) {
    const stopBurning = load === 'busy' ? burnCores() : null;
    try {
      for (const [name, way] of Object.entries(WAYS)) {
        await oneStart(way, db.url); // warms the file cache, as a second start would be
        const times: number[] = [];
        const cpu: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const r = await oneStart(way, db.url);
          times.push(r.wall);
          cpu.push(r.cpu);
        }
        print(`cold start ${name}, ${load}, median`, Math.round(median(times)), 'ms');
        print(`cold start ${name}, ${load}, min`, Math.round(Math.min(...times)), 'ms');
        print(`cold start ${name}, ${load}, max`, Math.round(Math.max(...times)), 'ms');
        print(`cold start ${name}, ${load}, CPU median`, Math.round(median(cpu)), 'ms');
      }
    } finally {
      await stopBurning?.();
    }
  }
} finally {
  await db.drop();
}
