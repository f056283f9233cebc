// Live updates: how soon a page hears that a worker recorded a clip ready (worker's write → the
// SSE message with the card arrives, p99 over 100 clips), and what 1,000 open streams cost one web
// process (memory per stream, heartbeats still flowing, page latency meanwhile).
import autocannon from 'autocannon';
import { completeGeneration } from '../src/generation/service.js';
import { HEARTBEAT_MS } from '../src/live/hub.js';
import { loadConfig } from '../src/platform/config.js';
import { closeContext, createContext } from '../src/platform/context.js';
import { createStorage } from '../src/storage/index.js';
import { clipIdOf, SseClient } from '../test/setup/sse.js';
import { freshDatabase, print, rssMb, signIn, startServer } from './_support.js';

const CLIPS = Number(process.env.BENCH_SSE_CLIPS ?? 100);
const PEOPLE = Number(process.env.BENCH_SSE_PEOPLE ?? 100);
const PER_PERSON = 10; // MAX_STREAMS_PER_PERSON

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function main() {
  const database = await freshDatabase(`echoes_bench_sse_${process.pid}`);
  const server = await startServer({ DATABASE_URL: database.url });
  // The "worker": a context over the same database and Redis, recording results as a worker does.
  const config = loadConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: `bench-${process.pid}`, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: server.dataDir, SESSION_SECRET: 'bench-session-secret-long-enough-0123456789' });
  const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
  const streams: SseClient[] = [];
  try {
    // 1. Push latency.
    const cookie = await signIn(server.url, 'sse@example.com');
    const user = await database.db.selectFrom('users').select('id').where('email', '=', 'sse@example.com').executeTakeFirstOrThrow();
    const project = await database.db.insertInto('projects').values({ user_id: user.id, title: 'Live', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
    const clips = [];
    for (let i = 0; i < CLIPS; i++) {
      clips.push(
        await database.db
          .insertInto('clips')
          .values({ project_id: project.id, user_id: user.id, image_key: `images/${user.id}/${project.id}/c${i}.jpg`, status: 'generating', progress: 0.5, duration_s: 5, ratio: '1280:720', position: i, prompt: '' })
          .returning(['id', 'attempt'])
          .executeTakeFirstOrThrow(),
      );
    }
    const page = await SseClient.open(`${server.url}/events?project=${project.id}`, { cookie });
    streams.push(page);
    await page.next((m) => m.data.includes('id="credit-balance"'), 30_000);
    const latencies: number[] = [];
    for (const clip of clips) {
      const from = page.messages.length;
      const started = performance.now();
      await completeGeneration(ctx, clip.id, clip.attempt, `clips/${user.id}/${project.id}/${clip.id}.mp4`);
      const msg = await page.next((m) => clipIdOf(m) === clip.id && m.data.includes('data-status="ready"'), 10_000, from);
      latencies.push(msg.at - started);
    }
    print('sse_push_ready_p50', percentile(latencies, 50), 'ms');
    print('sse_push_ready_p99', percentile(latencies, 99), 'ms');
    print('sse_push_ready_max', Math.max(...latencies), 'ms');
    page.close();

    // 2. 1,000 open streams on one web process.
    const cookies: string[] = [];
    for (let i = 0; i < PEOPLE; i += 10) {
      cookies.push(...(await Promise.all(Array.from({ length: Math.min(10, PEOPLE - i) }, (_, j) => signIn(server.url, `sse-${i + j}@example.com`)))));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = await rssMb(server.child.pid!);
    for (const c of cookies) {
      const mine = await Promise.all(Array.from({ length: PER_PERSON }, () => SseClient.open(`${server.url}/events`, { cookie: c })));
      streams.push(...mine);
    }
    await Promise.all(streams.slice(1).map((s) => s.next((m) => m.data.includes('id="credit-balance"'), 60_000)));
    const open = streams.slice(1).filter((s) => s.status === 200 && !s.closed).length;
    const rssAfter = await rssMb(server.child.pid!);
    print('sse_streams_open', open, 'streams');
    print('sse_memory_per_stream', ((rssAfter - rssBefore) * 1024) / open, 'KB');
    print('sse_server_rss_with_streams', rssAfter, 'MB');
    const run = await autocannon({ url: `${server.url}/projects`, headers: { cookie: cookies[0]! }, connections: 20, duration: 5 });
    print('sse_dashboard_p99_with_streams', run.latency.p99, 'ms');
    print('sse_dashboard_rps_with_streams', run.requests.average, 'req/s');
    // Heartbeats keep flowing on every stream.
    const seen = () => streams.slice(1).filter((s) => s.comments.includes('hb')).length;
    const deadline = Date.now() + HEARTBEAT_MS + 10_000;
    while (seen() < open && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    print('sse_streams_with_heartbeat', seen(), 'streams');
  } finally {
    for (const s of streams) s.close();
    await closeContext(ctx);
    await server.stop();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
