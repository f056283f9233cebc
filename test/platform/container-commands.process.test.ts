import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, stopProcesses } from '../setup/web-processes.js';
import { freePort } from '../setup/ports.js';
import { waitFor } from '../setup/wait.js';
import { startS3 } from '../setup/s3.js';
import { runEveryJobKind } from '../setup/journey.js';
import { accountFor, startGoogleFake, type GoogleFake } from '../fakes/google.js';

// Issue 24, item 2(c): the Dockerfile's ENTRYPOINT + CMD, and each `command:` of docker-compose.yml
// that runs our image, read from those files and run as real processes against the local Postgres,
// Redis and (for compose's MinIO) the test S3 server. Every kind of background work goes through them,
// so a change to those commands that breaks a job kind fails here. No Docker engine: the commands run
// on this machine, translated only where the container differs from it (each translation is named below).

/** The image's runtime stage as the Dockerfile declares it: ENV, WORKDIR, ENTRYPOINT and CMD. */
function readDockerfile(): { env: Record<string, string>; workdir: string; entrypoint: string[]; cmd: string[] } {
  // Continuation lines joined; comments dropped; only the last stage (the image that runs) counts.
  const lines = readFileSync('Dockerfile', 'utf8').replace(/\\\r?\n/g, ' ').split('\n').filter((l) => !/^\s*#/.test(l));
  const stage = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));
  const out = { env: {} as Record<string, string>, workdir: '/', entrypoint: [] as string[], cmd: [] as string[] };
  for (const line of stage) {
    const m = /^(ENV|WORKDIR|ENTRYPOINT|CMD)\s+(.*)$/i.exec(line.trim());
    if (!m) continue;
    const [, op, rest] = m;
    if (op!.toUpperCase() === 'ENV') for (const [, k, v] of rest!.matchAll(/(\w+)=("[^"]*"|\S*)/g)) out.env[k!] = v!.replace(/^"|"$/g, '');
    else if (op!.toUpperCase() === 'WORKDIR') out.workdir = rest!.trim();
    else {
      // Exec form only: a shell-form command would run under /bin/sh -c, which this test would have to learn.
      const argv = JSON.parse(rest!) as string[];
      expect(Array.isArray(argv), `${op} in exec (JSON) form`).toBe(true);
      if (op!.toUpperCase() === 'CMD') out.cmd = argv;
      else out.entrypoint = argv;
    }
  }
  return out;
}

type ComposeService = { image?: string; build?: unknown; command?: string[] | string; entrypoint?: unknown; environment?: Record<string, string | number | boolean | null> };
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const image = readDockerfile();

/** Compose's `${VAR:-default}` / `${VAR:?message}` / `${VAR}` interpolation, from `vars` (what .env would hold). */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, arg?: string) => {
    const set = vars[name];
    if (set !== undefined && set !== '') return set;
    if (kind === '?') throw new Error(`docker-compose.yml needs ${name}: ${arg}`);
    return kind === '-' ? arg! : '';
  });
}

/**
 * The argv a container runs: ENTRYPOINT then CMD (a compose `command:` replaces CMD), as this machine
 * runs it. Translations: the image's `node` is this machine's Node (process.execPath); the image's init,
 * `tini --`, is not installed here and only passes its arguments on (it reaps children and forwards
 * signals as PID 1), so it is skipped; any other ENTRYPOINT must exist here or this test must learn it.
 */
function argvOf(entrypoint: string[], cmd: string[]): { file: string; args: string[] } {
  let argv = [...entrypoint, ...cmd];
  if (argv[0] && /(^|\/)tini$/.test(argv[0]) && !existsSync(argv[0])) {
    expect(argv[1], 'tini runs the command after --').toBe('--');
    argv = argv.slice(2);
  }
  expect(argv.length, 'a command to run').toBeGreaterThan(0);
  if (argv[0] === 'node') return { file: process.execPath, args: argv.slice(1) };
  expect(existsSync(argv[0]!), `${argv[0]} exists on this machine`).toBe(true);
  return { file: argv[0]!, args: argv.slice(1) };
}

/** Services that run this repository's image (built here); the others are Postgres, Redis, MinIO and its setup. */
const ourServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined || s.image === 'echoes:latest');

let t: TestContext;
let s3: Awaited<ReturnType<typeof startS3>>;
let google: GoogleFake;
const children: ChildProcess[] = [];
const SECRET = 'a-real-session-secret-for-the-container-test-0123456789';

beforeAll(async () => {
  t = await createTestContext();
  s3 = await startS3();
  google = await startGoogleFake();
}, 60_000);
afterAll(async () => {
  await stopProcesses(children);
  await google?.stop();
  await s3?.stop();
  await t?.close();
}, 60_000);

/**
 * Starts one container's command. The environment is only what the container would have (the image's
 * ENV, then the service's), plus PATH/HOME; the machine's addresses replace the container network's.
 */
function startContainer(name: string, argv: { file: string; args: string[] }, env: Record<string, string>): void {
  // WORKDIR /app is this repository's root here: dist/, views/, public/ and node_modules/ sit where the image has them.
  expect(image.workdir).toBe('/app');
  const child = spawn(argv.file, argv.args, { cwd: process.cwd(), env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
  children.push(child);
}

/** The image's ENV, with its container paths translated: /usr/bin/ffmpeg is kept when this machine has it. */
function imageEnv(): Record<string, string> {
  const env = { ...image.env };
  for (const key of ['FFMPEG_PATH', 'FFPROBE_PATH']) if (env[key] && !existsSync(env[key]!)) delete env[key]; // then the bundled binaries
  return env;
}

/** This machine's Postgres/Redis/data folder/Google in place of the container network's, per test world. */
function localServices(): Record<string, string> {
  return {
    DATABASE_URL: t.env.DATABASE_URL!,
    REDIS_URL: t.env.REDIS_URL!,
    QUEUE_PREFIX: t.env.QUEUE_PREFIX!, // its own prefix: other tests share this Redis
    DATA_DIR: t.dataDir, // the image's /app/data volume
    ...google.env, // Google's endpoints, faked on 127.0.0.1
    LOG_LEVEL: 'warn',
  };
}

async function signInAndRunEveryJob(port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  // Generous: a busy 2-core CI machine starts slowly; readiness is the signal, not a clock.
  await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200, 'the container command to answer /healthz', 120_000, 200);
  const account = accountFor('Container Person');
  google.setAccount(account);
  const b = new HttpBrowser();
  await b.signInGoogle(base); // production: no dev sign-in, Google as in a real deployment
  await runEveryJobKind(base, b, account.email, t.ctx.db);
  await stopProcesses(children.splice(0)); // so the next deployment's jobs are not taken by these workers
}

describe('the Dockerfile and docker-compose.yml commands', () => {
  it('compose runs our image in exactly two services, the web process and the worker', () => {
    // A new service on our image must be added to the deployment test below.
    expect(ourServices.map(([name]) => name).sort()).toEqual(['app', 'worker']);
    for (const [name, s] of ourServices) {
      expect(s.entrypoint, `${name} keeps the image's ENTRYPOINT`).toBeUndefined();
      expect(Array.isArray(s.command), `${name}'s command in exec (list) form`).toBe(true);
    }
  });

  it('the image alone (ENTRYPOINT + CMD, workers in-process, local disk) runs every kind of background work', async () => {
    const port = await freePort();
    const env = {
      ...imageEnv(),
      // What `docker run -e ...` must give it: a secret, its services, its public address (loopback http: plain cookies).
      SESSION_SECRET: SECRET,
      PORT: String(port), // the image's 3000, on a free port here
      PUBLIC_URL: `http://localhost:${port}`,
      ...localServices(),
    };
    expect(image.env.NODE_ENV).toBe('production');
    startContainer('image', argvOf(image.entrypoint, image.cmd), env);
    await signInAndRunEveryJob(port);
  }, 900_000);

  it('docker compose (app + worker, each with its command and environment, S3 storage) runs every kind of background work', async () => {
    const port = await freePort();
    // What the README says to put in .env, plus this machine's Google fake; every other ${...} takes compose's default.
    const dotEnv = { SESSION_SECRET: SECRET, PUBLIC_URL: `http://localhost:${port}`, ...google.env };
    for (const [name, service] of ourServices) {
      const composeEnv = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v ?? ''), dotEnv)]));
      // The compose network's names (postgres, redis, minio) become this machine's services.
      expect(composeEnv.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(composeEnv.REDIS_URL).toBe('redis://redis:6379');
      expect(composeEnv.S3_ENDPOINT).toBe('http://minio:9000');
      const env = {
        ...imageEnv(),
        ...composeEnv,
        PORT: String(port), // the image's 3000 (published as 3000:3000), on a free port here
        ...localServices(),
        ...s3.env, // MinIO: the test S3 server
        S3_PUBLIC_ENDPOINT: s3.env.S3_ENDPOINT,
      };
      startContainer(name, argvOf(image.entrypoint, service.command as string[]), env);
    }
    await signInAndRunEveryJob(port);
  }, 900_000);
});
