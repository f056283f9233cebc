// 100 signed-in people for a minute against the real server (`npm start` in a child process, with
// its workers, generating through the Runway fake): creating projects, uploading images and
// polling clip cards. Prints throughput, latency, 5xx, lost clips and ledger mismatches.
import { grantCredits } from '../src/credits/service.js';
import { findLedgerMismatches } from '../src/credits/queries.js';
import { withTx } from '../src/platform/db.js';
import { startRunwayFake } from '../test/fakes/runway.js';
import { testImage } from '../test/factories/clips.js';
import { count5xx, emptyResult, percentile, runLoad, signInAll } from '../test/load/scenario.js';
import { freshDatabase, print, rssMb, startServer } from './_support.js';

const USERS = Number(process.env.BENCH_LOAD_USERS ?? 100);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);

export async function main() {
  const database = await freshDatabase(`echoes_bench_load_${process.pid}`);
  const fake = await startRunwayFake();
  const server = await startServer({
    DATABASE_URL: database.url,
    RUN_WORKERS: 'true',
    ACTIVE_AI_PROVIDER: 'runway',
    RUNWAY_API_URL: fake.url,
    RUNWAY_API_KEY: fake.apiKey,
    RUNWAY_POLL_INTERVAL_MS: '500',
    RUNWAY_OUTPUT_HOSTS: '127.0.0.1',
  });
  try {
    const opts = { baseUrl: server.url, users: USERS, seconds: SECONDS, image: await testImage(1280, 720, 'jpeg') };
    const result = emptyResult();
    const people = await signInAll(opts, result, 'bench');
    const users = await database.db.selectFrom('users').select('id').where('email', 'in', result.emails).execute();
    for (const u of users) await withTx(database.db, (tx) => grantCredits(tx, u.id, 1000, 'admin', null, 'load bench'));

    let peakRss = await rssMb(server.child.pid!);
    const sampler = setInterval(() => {
      rssMb(server.child.pid!).then((mb) => (peakRss = Math.max(peakRss, mb)), () => {});
    }, 250);
    const { seconds } = await runLoad(people, opts, result);
    clearInterval(sampler);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);

    // Give the workers time to finish what was accepted, then count what never arrived.
    const ids = users.map((u) => u.id);
    const drainUntil = Date.now() + 120_000;
    let rows: Array<{ id: string; status: string }> = [];
    while (Date.now() < drainUntil) {
      rows = await database.db.selectFrom('clips').select(['id', 'status']).where('user_id', 'in', ids).execute();
      if (rows.every((r) => r.status === 'ready' || r.status === 'failed')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const inDb = new Set(rows.map((r) => r.id));
    const lost = result.clipIds.filter((id) => !inDb.has(id)).length + rows.filter((r) => r.status !== 'ready').length;

    print('load_users', USERS, 'users');
    print('load_seconds', seconds, 's');
    print('load_requests', result.requests, 'requests');
    print('load_throughput', result.requests / seconds, 'req/s');
    print('load_p50', percentile(result.latenciesMs, 50), 'ms');
    print('load_p99', percentile(result.latenciesMs, 99), 'ms');
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
    await server.stop();
    await fake.close();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
