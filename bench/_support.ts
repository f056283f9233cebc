// Shared by the benchmarks: a fresh database, the real server in a child process, a signed-in cookie.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, migrateToLatest, type DB } from '../src/platform/db.js';

export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function print(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function freshDatabase(name: string): Promise<{ url: string; db: DB; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: PG_BASE });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  const db = createDb(u.toString());
  await migrateToLatest(db);
  return {
    url: u.toString(),
    db,
    async drop() {
      await db.destroy();
      const a = new pg.Client({ connectionString: PG_BASE });
      await a.connect();
      await a.query(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}

export interface ServerChild {
  url: string;
  child: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** The Node flags `npm start` gives the web process (package.json; test/platform/ops-files checks they agree). */
export const WEB_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Starts the compiled server as a child process (as `npm start` does, after `npm run build`) and waits for /healthz. */
export async function startServer(env: Record<string, string>): Promise<ServerChild> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-'));
  // BENCH_SERVER_ARGS passes Node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...WEB_NODE_FLAGS, 'dist/src/server.js'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', RUN_WORKERS: 'false', QUEUE_PREFIX: `bench-${process.pid}`, NODE_ENV: 'test', SESSION_SECRET: 'bench-session-secret-long-enough-0123456789', ...env },
    stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // Up to a minute: a busy machine starts slowly.
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the dev form and returns the Cookie header of the session. */
export async function signIn(url: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const login = await fetch(`${url}/login`);
  keep(login);
  const token = /name="csrf-token" content="([^"]+)"/.exec(await login.text())![1]!;
  const res = await fetch(`${url}/auth/dev`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, name: 'Bench' }),
  });
  keep(res);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return cookie();
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc (Linux). Per request it is a
 * figure a busy, shared machine disturbs far less than requests per second.
 */
export async function cpuMs(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** The CPU-side resident memory of a child process, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
