// 300 clips in flight against the Runway fake, driven by real workers in a child process.
// Prints the worker's CPU time and peak memory, and how long a clip takes to become `ready`
// after the fake's task SUCCEEDED (poll interval + download + store + commit).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createClip } from '../src/clips/create-and-regenerate.js';
import { normalizeImage } from '../src/clips/image.js';
import { grantCredits } from '../src/credits/service.js';
import { loadConfig } from '../src/platform/config.js';
import { closeContext, createContext } from '../src/platform/context.js';
import { createStorage } from '../src/storage/index.js';
import { withTx } from '../src/platform/db.js';
import type { Project } from '../src/platform/db-types.js';
import { startRunwayFake, type FakeStep } from '../test/fakes/runway.js';
import { freshDatabase, print } from './_support.js';
import { testImage } from '../test/factories/clips.js';

const CLIPS = Number(process.env.BENCH_CLIPS ?? 300);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const HERE = path.dirname(fileURLToPath(import.meta.url));

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** A task that waits, runs with progress and succeeds, taking 3–6 s like a (much faster) Runway. */
function steps(): FakeStep[] {
  const r = () => 500 + Math.floor(Math.random() * 1000);
  return [{ status: 'PENDING', ms: r() }, { status: 'RUNNING', progress: 0.3, ms: r() * 2 }, { status: 'RUNNING', progress: 0.8, ms: r() }, { status: 'SUCCEEDED' }];
}

export async function main(): Promise<void> {
  const id = randomBytes(4).toString('hex');
  const database = await freshDatabase(`echoes_bench_gen_${id}`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-'));
  const fake = await startRunwayFake();
  for (let i = 0; i < CLIPS; i++) fake.plan(steps());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench-${id}`,
    DATA_DIR: dataDir,
    RUNWAY_API_URL: fake.url,
    RUNWAY_API_KEY: fake.apiKey,
    ACTIVE_AI_PROVIDER: 'runway',
    RUNWAY_POLL_INTERVAL_MS: String(POLL_MS),
    RUNWAY_OUTPUT_HOSTS: '127.0.0.1',
  };
  const config = loadConfig(env);
  const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
  let child: ChildProcess | undefined;
  try {
    child = fork(path.join(HERE, '_generation-worker.ts'), [], { env: { ...process.env, ...env }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child!.once('message', () => resolve());
      child!.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });

    // 10 creators with enough credits; one normalised image shared by every clip.
    const image = await normalizeImage(await testImage(320, 180, 'jpeg'), { width: 1280, height: 720, maxPixels: 1e8 });
    const owners: Array<{ user: { id: string }; project: Project }> = [];
    for (let i = 0; i < 10; i++) {
      const user = await ctx.db.insertInto('users').values({ email: `bench${i}@example.com`, name: 'Bench', referral_code: `bench${id}${i}` }).returningAll().executeTakeFirstOrThrow();
      await withTx(ctx.db, (tx) => grantCredits(tx, user.id, CLIPS, 'admin', null, 'bench'));
      const project = await ctx.db.insertInto('projects').values({ user_id: user.id, title: 'Bench', ratio: '1280:720' }).returningAll().executeTakeFirstOrThrow();
      owners.push({ user, project });
    }
    const started = Date.now();
    const clipIds: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, o) => {
        for (let i = o; i < CLIPS; i += 10) {
          const { user, project } = owners[o]!;
          const clip = await createClip(ctx, { userId: user.id, project, image, prompt: `clip ${i}`, durationS: 5, requestId: `bench-${i}` });
          clipIds.push(clip.id);
        }
      }),
    );
    const submittedIn = Date.now() - started;

    let rows: Array<{ id: string; status: string; provider_task_id: string | null; finished_at: Date | null }> = [];
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      rows = await ctx.db.selectFrom('clips').select(['id', 'status', 'provider_task_id', 'finished_at']).execute();
      if (rows.every((r) => r.status === 'ready' || r.status === 'error') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const wall = Date.now() - started;

    const stats = await new Promise<{ cpuUserUs: number; cpuSystemUs: number; maxRssKb: number; startupCpuUs: number }>((resolve) => {
      child!.on('message', (m: { type?: string }) => m.type === 'stats' && resolve(m as never));
      child!.send({ type: 'stop' });
    });

    const latencies = rows
      .filter((r) => r.status === 'ready' && r.provider_task_id && r.finished_at)
      .map((r) => r.finished_at!.getTime() - (fake.tasks.get(r.provider_task_id!)?.succeededAt ?? NaN))
      .filter((n) => Number.isFinite(n))
      .sort((a, b) => a - b);
    const cpuS = (stats.cpuUserUs + stats.cpuSystemUs - stats.startupCpuUs) / 1e6;
    const polls = fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/tasks/')).length;

    print('generation_clips', CLIPS, 'clips');
    print('generation_poll_interval', POLL_MS, 'ms');
    print('generation_enqueue_time', submittedIn, 'ms');
    print('generation_wall_time', wall / 1000, 's');
    print('generation_ready', rows.filter((r) => r.status === 'ready').length, 'clips');
    print('generation_failed', rows.filter((r) => r.status !== 'ready').length, 'clips');
    print('generation_provider_tasks', fake.submissions.length, 'tasks');
    print('generation_status_polls', polls, 'requests');
    print('generation_worker_startup_cpu_time', stats.startupCpuUs / 1e6, 's');
    print('generation_worker_cpu_time', cpuS, 's');
    print('generation_worker_cpu_per_clip', (cpuS * 1000) / CLIPS, 'ms');
    print('generation_worker_peak_rss', Math.round(stats.maxRssKb / 1024), 'MB');
    print('generation_succeeded_to_ready_p50', pct(latencies, 50), 'ms');
    print('generation_succeeded_to_ready_p99', pct(latencies, 99), 'ms');
    print('generation_succeeded_to_ready_max', latencies.at(-1) ?? NaN, 'ms');
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await closeContext(ctx);
    await fake.close();
    await database.drop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    const redis = new Redis(env.REDIS_URL!);
    const keys = await redis.keys(`bench-${id}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
