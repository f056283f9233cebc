import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { clipIdOf, SseClient } from '../setup/sse.js';
import { startRunwayFake, type RunwayFake } from '../fakes/runway.js';
import { expectLedgerBalanced } from '../factories.js';
import { testImage, waitFor } from '../factories/clips.js';

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

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function startWeb(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...t.env, PORT: String(port), RUN_WORKERS: 'false' }, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200, 'a web process to answer', 60_000, 200);
  return url;
}

async function startWorker(): Promise<void> {
  const child = fork(WORKER, [], { env: { ...process.env, ...t.env }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

/** A browser over real HTTP: keeps cookies and the page's CSRF token, may talk to either web process. */
class HttpBrowser {
  cookies = new Map<string, string>();
  csrf = '';
  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { cookie: this.cookie, ...(init.headers as Record<string, string>) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(pair!.slice(0, i));
      else this.cookies.set(pair!.slice(0, i), value);
    }
    return res;
  }
  async page(url: string): Promise<Response> {
    const res = await this.fetch(url);
    const body = await res.clone().text();
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(body);
    if (m) this.csrf = m[1]!;
    return res;
  }
  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(url, { method: 'POST', body: new URLSearchParams({ _csrf: this.csrf, ...form }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

beforeAll(async () => {
  fake = await startRunwayFake();
  t = await createTestContext({ RUNWAY_API_URL: fake.url, RUNWAY_API_KEY: fake.apiKey, ACTIVE_AI_PROVIDER: 'runway', RUNWAY_POLL_INTERVAL_MS: '50', RUNWAY_OUTPUT_HOSTS: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  for (const s of streams) s.close();
  for (const child of children) {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  }
  await t?.close();
  await fake?.close();
}, 60_000);

describe('two web processes and two workers', () => {
  it('share sessions, push live updates across processes, and run and charge every clip once', async () => {
    const [webA, webB] = await Promise.all([startWeb(), startWeb()]);
    await Promise.all([startWorker(), startWorker()]);

    // Signed in on A, the session works on B.
    const browser = new HttpBrowser();
    await browser.page(`${webA}/login`);
    expect((await browser.post(`${webA}/auth/dev`, { email: 'scale@example.com', name: 'Scale' })).status).toBe(303);
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
