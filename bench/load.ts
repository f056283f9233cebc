// 100 signed-in people for a minute against the real server (`npm start` in a child process, its
// workers in their own process as `npm run worker`, generating through the Runway fake): creating
// projects, uploading images and waiting for their cards, told by the page's live stream
// (BENCH_LOAD_MODE=poll: polling the card every 2 s instead, as pages did before live updates).
// Prints throughput, requests per person per minute, latency (uploads apart), 5xx, lost clips and
// ledger mismatches. BENCH_LOAD_SECONDS=20 is the former 20-second load test.
import { spawn } from 'node:child_process';
import { grantCredits } from '../src/credits/service.js';
import { findLedgerMismatches } from '../src/credits/queries.js';
import { withTx } from '../src/platform/db.js';
import { startRunwayFake } from '../test/fakes/runway.js';
import { testImage } from '../test/factories/clips.js';
import { count5xx, emptyResult, percentile, runLoad, signInAll } from '../test/load/scenario.js';
import { freshDatabase, print, rssMb, startServer } from './_support.js';

const USERS = Number(process.env.BENCH_LOAD_USERS ?? 100);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const MODE = process.env.BENCH_LOAD_MODE === 'poll' ? 'poll' : 'live';
/** How long the (fake) provider takes per clip; a real one takes a minute or more. */
const GENERATION_S = Number(process.env.BENCH_LOAD_GENERATION_S ?? 20);

export async function main() {
  const database = await freshDatabase(`echoes_bench_load_${process.pid}`);
  const fake = await startRunwayFake();
  fake.setDefaultPlan([{ status: 'PENDING', ms: 1000 }, { status: 'RUNNING', progress: 0.4, ms: Math.max(0, GENERATION_S * 1000 - 1000) }, { status: 'SUCCEEDED' }]);
  const env = {
    DATABASE_URL: database.url,
    RUN_WORKERS: 'false',
    ACTIVE_AI_PROVIDER: 'runway',
    RUNWAY_API_URL: fake.url,
    RUNWAY_API_KEY: fake.apiKey,
    RUNWAY_POLL_INTERVAL_MS: '500',
    RUNWAY_OUTPUT_HOSTS: '127.0.0.1',
  };
  const server = await startServer(env);
  const worker = spawn(process.execPath, ['dist/src/worker-main.js'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', QUEUE_PREFIX: `bench-${process.pid}`, NODE_ENV: 'test', DATA_DIR: server.dataDir, SESSION_SECRET: 'bench-session-secret-long-enough-0123456789', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const opts = { baseUrl: server.url, users: USERS, seconds: SECONDS, image: await testImage(1280, 720, 'jpeg'), pollMs: MODE === 'poll' ? 2000 : undefined };
    const result = emptyResult();
    const people = await signInAll(opts, result, 'bench');
    const users = await database.db.selectFrom('users').select('id').where('email', 'in', result.emails).execute();
    for (const u of users) await withTx(database.db, (tx) => grantCredits(tx, u.id, 1000, 'admin', null, 'load bench'));

    let peakRss = await rssMb(server.child.pid!);
    const sampler = setInterval(() => {
      rssMb(server.child.pid!).then((mb) => (peakRss = Math.max(peakRss, mb)), () => {});
    }, 250);
    const signInRequests = result.requests; // counted apart: the run measures use, not sign-in
    const { seconds } = await runLoad(people, opts, result);
    const used = result.requests - signInRequests;
    clearInterval(sampler);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);

    // Give the workers time to finish what was accepted, then count what never arrived.
    const ids = users.map((u) => u.id);
    const drainUntil = Date.now() + 120_000;
    let rows: Array<{ id: string; status: string }> = [];
    while (Date.now() < drainUntil) {
      rows = await database.db.selectFrom('clips').select(['id', 'status']).where('user_id', 'in', ids).execute();
      if (rows.every((r) => r.status === 'ready' || r.status === 'error')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const inDb = new Set(rows.map((r) => r.id));
    const lost = result.clipIds.filter((id) => !inDb.has(id)).length + rows.filter((r) => r.status !== 'ready').length;

    const pages = [...result.byKind].filter(([kind]) => kind !== 'upload' && kind !== 'stream').flatMap(([, ms]) => ms);
    console.log(`# mode: ${MODE}`);
    print('load_users', USERS, 'users');
    print('load_seconds', seconds, 's');
    print('load_requests', used, 'requests');
    print('load_streams_opened', result.streams, 'streams');
    print('load_throughput', used / seconds, 'req/s');
    print('load_requests_per_person_per_minute', used / USERS / (seconds / 60), 'req');
    print('load_card_polls', result.byKind.get('card')?.length ?? 0, 'requests');
    print('load_pages_p50', percentile(pages, 50), 'ms');
    print('load_pages_p99', percentile(pages, 99), 'ms');
    print('load_upload_p99', percentile(result.byKind.get('upload') ?? [], 99), 'ms');
    for (const [kind, ms] of result.byKind) print(`load_${kind}_p99`, percentile(ms, 99), 'ms');
    print('load_projects_created', result.projects, 'projects');
    print('load_clips_created', result.clipIds.length, 'clips');
    print('load_5xx', count5xx(result) + result.networkErrors, 'responses');
    print('load_clips_lost', lost, 'clips');
    print('load_ledger_mismatches', (await findLedgerMismatches(database.db)).length, 'users');
    print('load_server_peak_rss', peakRss, 'MB');
    print('load_server_event_loop_lag_p99', gauge('nodejs_eventloop_lag_p99_seconds') * 1000, 'ms');
    print('load_server_event_loop_lag_max', gauge('nodejs_eventloop_lag_max_seconds') * 1000, 'ms');
    if (result.firstFailure) console.log(`# first failure: ${result.firstFailure}`);
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await server.stop();
    await fake.close();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
