// Page throughput and p99 latency of the dashboard and a 30-clip project page, against a bare
// Fastify route answering a fixed string in the same run (the ratio is what travels across machines).
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { cpuMs, freePort, freshDatabase, print, signIn, startServer } from './_support.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
// Issue 15's targets are stated at 50 connections (figures before 2026-12-01's third session used 20).
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

// BENCH_ENCODING=br (or gzip) asks as a browser on our own pages does: compressed (docs/decisions/0032).
const ENCODING = process.env.BENCH_ENCODING;
const browserHeaders: Record<string, string> = ENCODING ? { 'accept-encoding': ENCODING, 'sec-fetch-site': 'same-origin' } : {};

function cannon(url: string, headers: Record<string, string> = {}) {
  return autocannon({ url, headers: { ...browserHeaders, ...headers }, connections: CONNECTIONS, duration: DURATION_S, pipelining: 1 });
}

async function bareServer() {
  const port = await freePort();
  const code = `const f=require('fastify')();f.get('/',async()=>'ok');f.listen({port:${port},host:'127.0.0.1'})`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore', cwd: process.cwd() });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => child.kill() };
}

export async function main() {
  const database = await freshDatabase(`echoes_bench_pages_${process.pid}`);
  const server = await startServer({ DATABASE_URL: database.url });
  const bare = await bareServer();
  try {
    const cookie = await signIn(server.url, 'bench@example.com');
    const user = await database.db.selectFrom('users').select('id').where('email', '=', 'bench@example.com').executeTakeFirstOrThrow();
    for (let p = 0; p < 12; p++) {
      await database.db.insertInto('projects').values({ user_id: user.id, title: `Project ${p + 1}`, ratio: '1280:720' }).execute();
    }
    const project = await database.db.selectFrom('projects').select('id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    let cardId = '';
    for (let i = 0; i < 30; i++) {
      const ready = i % 3 !== 2;
      const clip = await database.db
        .insertInto('clips')
        .values({
          project_id: project.id,
          user_id: user.id,
          image_key: `images/${user.id}/${project.id}/clip${i}.jpg`,
          thumb_key: `images/${user.id}/${project.id}/clip${i}.thumb.webp`,
          status: ready ? 'ready' : 'generating',
          progress: ready ? 1 : 0.4,
          duration_s: 5,
          ratio: '1280:720',
          position: i,
          approved: i % 2 === 0,
          prompt: `A slow dolly shot, take ${i}`,
        })
        .returning(['id', 'user_id'])
        .executeTakeFirstOrThrow();
      cardId ||= clip.id;
      if (ready) {
        const take = await database.db
          .insertInto('takes')
          .values({ clip_id: clip.id, user_id: clip.user_id, kind: 'ai', status: 'ready', attempt: 1, duration_s: 5, video_key: `clips/${user.id}/${project.id}/clip${i}.mp4` })
          .returning('id')
          .executeTakeFirstOrThrow();
        await database.db.updateTable('clips').set({ take_id: take.id }).where('id', '=', clip.id).execute();
      }
    }

    // BENCH_DUMP=<dir> keeps each page's HTML there (to see what a request sends).
    if (process.env.BENCH_DUMP) {
      const { writeFile } = await import('node:fs/promises');
      for (const [name, path] of [['dashboard', '/projects'], ['project', `/projects/${project.id}`], ['card', `/clips/${cardId}`]]) {
        const res = await fetch(server.url + path, { headers: { cookie, 'hx-request': name === 'card' ? 'true' : 'false' } });
        await writeFile(`${process.env.BENCH_DUMP}/${name}.html`, await res.text());
      }
    }
    const bareRun = await cannon(bare.url);
    print('bare_fastify_rps', bareRun.requests.average, 'req/s');
    print('bare_fastify_p99', bareRun.latency.p99, 'ms');
    const pages = [
      ['dashboard', '/projects', {}],
      ['project_page_30_clips', `/projects/${project.id}`, {}],
      ['clip_card_fragment', `/clips/${cardId}`, { 'hx-request': 'true' }],
    ] as const;
    // BENCH_PAGES=dashboard,clip_card_fragment runs only those (a profile of one page at a time).
    const only = process.env.BENCH_PAGES?.split(',').filter(Boolean);
    for (const [name, path, headers] of pages) {
      if (only && !only.some((o) => name.startsWith(o))) continue;
      const cpuBefore = await cpuMs(server.child.pid!);
      const run = await cannon(server.url + path, { cookie, ...headers });
      const cpu = (await cpuMs(server.child.pid!)) - cpuBefore;
      const non2xx = run.non2xx + run.errors;
      print(`${name}_rps`, run.requests.average, 'req/s');
      print(`${name}_server_cpu_per_request`, cpu / run.requests.total, 'ms');
      print(`${name}_p99`, run.latency.p99, 'ms');
      print(`${name}_vs_bare`, run.requests.average / bareRun.requests.average, 'ratio');
      print(`${name}_bytes_per_response`, run.throughput.total / run.requests.total, 'bytes');
      if (non2xx) print(`${name}_errors`, non2xx, 'responses');
    }
  } finally {
    bare.stop();
    await server.stop();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
