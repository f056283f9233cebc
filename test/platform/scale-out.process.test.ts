import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, startWebProcess, stopProcesses } from '../setup/web-processes.js';
import { clipIdOf, SseClient } from '../setup/sse.js';
import { startRunwayFake, type RunwayFake } from '../fakes/runway.js';
import { expectLedgerBalanced } from '../factories.js';
import { testImage } from '../factories/clips.js';

// Two web processes and two worker processes (real ones, as `npm start` and `npm run worker` run)
// on one Postgres, Redis and media store: a session made on web A works on web B, a page on B is
// told live about clips submitted on A whichever worker runs them, and every clip is run once and
// charged once.

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../setup/worker-process.ts');
const CLIPS = 4;
let t: TestContext;
let fake: RunwayFake;
const children: ChildProcess[] = [];
const streams: SseClient[] = [];

async function startWorker(): Promise<void> {
  const child = fork(WORKER, [], { env: { ...process.env, ...t.env }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

beforeAll(async () => {
  fake = await startRunwayFake();
  t = await createTestContext({ RUNWAY_API_URL: fake.url, RUNWAY_API_KEY: fake.apiKey, ACTIVE_AI_PROVIDER: 'runway', RUNWAY_POLL_INTERVAL_MS: '50', RUNWAY_OUTPUT_HOSTS: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  for (const s of streams) s.close();
  await stopProcesses(children);
  await t?.close();
  await fake?.close();
}, 60_000);

describe('two web processes and two workers', () => {
  it('share sessions, push live updates across processes, and run and charge every clip once', async () => {
    const [webA, webB] = await Promise.all([startWebProcess(t.env, children), startWebProcess(t.env, children)]);
    await Promise.all([startWorker(), startWorker()]);

    // Signed in on A, the session works on B.
    const browser = new HttpBrowser();
    await browser.signInDev(webA, 'scale@example.com', 'Scale');
    const onB = await browser.page(`${webB}/projects`);
    expect(onB.status).toBe(200);
    const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', 'scale@example.com').executeTakeFirstOrThrow();
    await withTx(t.ctx.db, (tx) => grantCredits(tx, user.id, 20, 'admin', null, 'test'));
    const created = await browser.post(`${webB}/projects`, { title: 'Scale out' });
    const projectId = /\/projects\/([0-9a-f-]{36})/.exec(created.headers.get('location') ?? '')![1]!;

    // The project page on B opens its stream there.
    const page = await (await browser.page(`${webB}/projects/${projectId}`)).text();
    const connect = /sse-connect="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
    const stream = await SseClient.open(`${webB}${connect}`, { cookie: browser.cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.next((m) => m.data.includes('id="credit-balance"'));

    // Clips submitted on A.
    const ids: string[] = [];
    for (let i = 0; i < CLIPS; i++) {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(await testImage())], { type: 'image/png' }), 'photo.png');
      form.append('prompt', `clip ${i}`);
      const res = await browser.fetch(`${webA}/projects/${projectId}/clips`, { method: 'POST', body: form, headers: { 'x-csrf-token': browser.csrf, 'hx-request': 'true' } });
      expect(res.status).toBe(200);
      ids.push(clipIdOf({ data: await res.text(), at: 0 })!);
    }

    for (const id of ids) await stream.next((m) => clipIdOf(m) === id && m.data.includes('data-status="ready"'), 60_000);
    const clips = await t.ctx.db.selectFrom('clips').select(['id', 'status', 'provider_task_id']).where('project_id', '=', projectId).execute();
    expect(clips.map((c) => c.status)).toEqual(Array(CLIPS).fill('ready'));
    // One provider task per clip (no doubled job), one charge per clip.
    expect(new Set(fake.submissions.map((s) => s.id)).size).toBe(CLIPS);
    expect(new Set(clips.map((c) => c.provider_task_id)).size).toBe(CLIPS);
    const charges = await t.ctx.db.selectFrom('credit_transactions').select('reference_id').where('user_id', '=', user.id).where('type', '=', 'generation').execute();
    expect(charges.map((c) => c.reference_id).sort()).toEqual(ids.map((id) => `${id}:1`).sort());
    await expectLedgerBalanced(t.ctx.db);
    // The balance on B's page followed the charges made on A.
    const { credit_balance } = await t.ctx.db.selectFrom('users').select('credit_balance').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(credit_balance).toBeLessThan(21);
    await stream.next((m) => m.data.includes(`data-credit-balance="${credit_balance}"`), 10_000);
  }, 180_000);
});
