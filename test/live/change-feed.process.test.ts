import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { MAX_STREAMS_PER_PERSON } from '../../src/live/hub.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, startWebProcess, stopProcesses } from '../setup/web-processes.js';
import { clipIdOf, SseClient } from '../setup/sse.js';
import { startStripeFake, type StripeFake } from '../fakes/stripe.js';
import { ADMIN_PASSWORD } from '../factories/admin.js';
import { packNamed } from '../factories/billing.js';
import { attachTake } from '../factories/takes.js';

// The database's change feed (migrations/0019_change_feed.ts, src/platform/change-feed.ts) with two
// real web processes: a change made by any path — a request, a worker, a Stripe webhook, an admin
// page, or an operator in psql (no code of ours involved) — shows on the very next page from
// either process and reaches an open page within a second; a change made while the feed's
// connection is cut (a delete included) still reaches the page once it is back.

let t: TestContext;
const children: ChildProcess[] = [];
const open: SseClient[] = [];
let webA = '';
let webB = '';
let stripe: StripeFake;

beforeAll(async () => {
  t = await createTestContext();
  stripe = await startStripeFake();
  const env = { ...t.env, ...stripe.env, ADMIN_PASSWORD };
  [webA, webB] = await Promise.all([startWebProcess(env, children), startWebProcess(env, children)]);
}, 120_000);
afterAll(async () => {
  for (const c of open) c.close();
  await stopProcesses(children);
  await stripe?.close();
  await t?.close();
}, 60_000);

/** An operator's psql session: plain SQL in one transaction. */
async function psql(statements: Array<[string, unknown[]]>): Promise<pg.QueryResult[]> {
  const client = new pg.Client({ connectionString: t.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('begin');
    const results: pg.QueryResult[] = [];
    for (const [text, values] of statements) results.push(await client.query(text, values));
    await client.query('commit');
    return results;
  } finally {
    await client.end();
  }
}

async function signedIn(email: string) {
  const browser = new HttpBrowser();
  await browser.signInDev(webA, email, 'Feed');
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const project = await t.ctx.db.insertInto('projects').values({ user_id: user.id, title: 'Harbour', ratio: '1280:720' }).returningAll().executeTakeFirstOrThrow();
  const stream = async (web: string, query = '') => {
    const c = await SseClient.open(`${web}/events${query}`, { cookie: browser.cookie });
    open.push(c);
    if (c.status === 200) await c.next((m) => m.data.includes('id="credit-balance"'));
    return c;
  };
  return { browser, user, project, stream };
}

/** A ready clip with an AI take, as a finished generation leaves it. */
async function readyClip(userId: string, projectId: string) {
  const clip = await t.ctx.db
    .insertInto('clips')
    .values({ project_id: projectId, user_id: userId, image_key: `images/${userId}/${projectId}/r.jpg`, status: 'ready', progress: 1, duration_s: 5, ratio: '1280:720', position: 1, prompt: 'A slow pan' })
    .returningAll()
    .executeTakeFirstOrThrow();
  await attachTake(t.ctx.db, clip, `clips/${userId}/${projectId}/r.mp4`);
  return clip;
}

/** Asks both processes twice, so what follows would be served from what they kept. */
async function seenTwice(browser: HttpBrowser, path: string) {
  for (const web of [webA, webB, webA, webB]) expect((await browser.fetch(`${web}${path}`)).status).toBe(200);
}

const bodies = (browser: HttpBrowser, path: string) => Promise.all([webA, webB].map(async (web) => (await browser.fetch(`${web}${path}`)).text()));
const balanceIn = (html: string) => Number(/data-credit-balance="(\d+)"/.exec(html)?.[1]);

describe('the change feed, with two web processes', () => {
  it('an operator grants 5 credits in psql: the next page on either shows it, and the open page within 1 s', async () => {
    const { browser, user, stream } = await signedIn('feed-grant@example.com');
    await seenTwice(browser, '/projects');
    const live = await stream(webB);
    const from = live.messages.length;
    const before = user.credit_balance;
    const committed = performance.now();
    await psql([
      [`insert into credit_transactions (user_id, amount, type, note) values ($1, 5, 'admin', 'Operator grant')`, [user.id]],
      [`update users set credit_balance = credit_balance + 5 where id = $1`, [user.id]],
    ]);
    for (const body of await bodies(browser, '/projects')) expect(balanceIn(body)).toBe(before + 5);
    const pushed = await live.next((m) => balanceIn(m.data) === before + 5, 1000, from);
    expect(pushed.at - committed).toBeLessThan(1000);
  }, 60_000);

  it('a request on one (an approval): the next card and page on the other show it, and the open page there within 1 s', async () => {
    const { browser, user, project, stream } = await signedIn('feed-request@example.com');
    const clip = await readyClip(user.id, project.id);
    await seenTwice(browser, `/projects/${project.id}`);
    const live = await stream(webB, `?project=${project.id}`);
    const from = live.messages.length;
    await browser.page(`${webA}/projects/${project.id}`);
    const sent = performance.now();
    expect((await browser.post(`${webA}/clips/${clip.id}/approve`)).status).toBe(303);
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).toContain('1 approved');
    const pushed = await live.next((m) => clipIdOf(m) === clip.id && m.data.includes('is-approved'), 1000, from);
    expect(pushed.at - sent).toBeLessThan(1000);
  }, 60_000);

  it('a worker (a third process) finishes a clip: the next page on either shows it, and the open page within 1 s', async () => {
    const { browser, user, project, stream } = await signedIn('feed-worker@example.com');
    const clip = await t.ctx.db
      .insertInto('clips')
      .values({ project_id: project.id, user_id: user.id, image_key: `images/${user.id}/${project.id}/w.jpg`, status: 'generating', progress: 0.5, duration_s: 5, ratio: '1280:720', position: 1, prompt: 'A slow pan' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await seenTwice(browser, `/projects/${project.id}`);
    const live = await stream(webA, `?project=${project.id}`);
    const from = live.messages.length;
    const committed = performance.now();
    // What the generation worker records, on its own connection.
    await t.ctx.db.updateTable('clips').set({ status: 'ready', progress: 1 }).where('id', '=', clip.id).execute();
    await attachTake(t.ctx.db, clip, `clips/${user.id}/${project.id}/w.mp4`);
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).toMatch(new RegExp(`data-clip-id="${clip.id}" data-status="ready"`));
    const pushed = await live.next((m) => clipIdOf(m) === clip.id && m.data.includes('data-status="ready"') && m.data.includes('data-take="ai"'), 1000, from);
    expect(pushed.at - committed).toBeLessThan(1000);
  }, 60_000);

  it('a Stripe webhook pays for credits on one: the next page on either shows them, and the open page on the other within 1 s', async () => {
    const { browser, user, stream } = await signedIn('feed-webhook@example.com');
    await seenTwice(browser, '/projects');
    const pack = await packNamed(t.ctx.db, 'Creator');
    await browser.page(`${webA}/credits`);
    const checkout = await browser.post(`${webA}/credits/checkout`, { pack_id: pack.id });
    expect(checkout.status).toBe(303);
    const sessionId = checkout.headers.get('location')!.slice(`${stripe.url}/pay/`.length);
    expect(sessionId).toMatch(/^cs_test_/);
    await seenTwice(browser, '/projects');
    const live = await stream(webB);
    const from = live.messages.length;
    const { payload, headers } = stripe.sign(stripe.event('checkout.session.completed', stripe.complete(sessionId)));
    const sent = performance.now();
    expect((await fetch(`${webA}/webhooks/stripe`, { method: 'POST', headers, body: payload })).status).toBe(200);
    for (const body of await bodies(browser, '/projects')) expect(balanceIn(body)).toBe(user.credit_balance + pack.credits);
    const pushed = await live.next((m) => balanceIn(m.data) === user.credit_balance + pack.credits, 1000, from);
    expect(pushed.at - sent).toBeLessThan(1000);
  }, 60_000);

  it('an admin grants 5 credits on the admin page of one: the next page on either shows them, and the open page on the other within 1 s', async () => {
    const { browser, user, stream } = await signedIn('feed-admin@example.com');
    await seenTwice(browser, '/projects');
    const admin = new HttpBrowser();
    await admin.page(`${webB}/admin/login`);
    expect((await admin.post(`${webB}/admin/login`, { password: ADMIN_PASSWORD })).status).toBe(303);
    await admin.page(`${webB}/admin/users/${user.id}`);
    const live = await stream(webA);
    const from = live.messages.length;
    const sent = performance.now();
    expect((await admin.post(`${webB}/admin/users/${user.id}/grant`, { amount: '5', reason: 'Sorry for the wait' })).status).toBe(303);
    for (const body of await bodies(browser, '/projects')) expect(balanceIn(body)).toBe(user.credit_balance + 5);
    const pushed = await live.next((m) => balanceIn(m.data) === user.credit_balance + 5, 1000, from);
    expect(pushed.at - sent).toBeLessThan(1000);
  }, 60_000);

  it('an operator renames a project in psql: the next dashboard and project page on either show it', async () => {
    const { browser, project } = await signedIn('feed-rename@example.com');
    await seenTwice(browser, '/projects');
    await seenTwice(browser, `/projects/${project.id}`);
    await psql([[`update projects set title = 'Harbour at dusk' where id = $1`, [project.id]]]);
    for (const body of await bodies(browser, '/projects')) expect(body).toContain('Harbour at dusk');
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).toContain('Harbour at dusk');
  }, 60_000);

  it('a clip changed while the feed is cut reaches the open page, and the next page, once it is back', async () => {
    const { browser, user, project, stream } = await signedIn('feed-cut@example.com');
    const clip = await t.ctx.db
      .insertInto('clips')
      .values({ project_id: project.id, user_id: user.id, image_key: `images/${user.id}/${project.id}/a.jpg`, status: 'generating', progress: 0.3, duration_s: 5, ratio: '1280:720', position: 1, prompt: 'A slow pan' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const doomed = await t.ctx.db
      .insertInto('clips')
      .values({ project_id: project.id, user_id: user.id, image_key: `images/${user.id}/${project.id}/b.jpg`, status: 'ready', progress: 1, duration_s: 5, ratio: '1280:720', position: 2, prompt: 'Gone soon' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await seenTwice(browser, `/projects/${project.id}`);
    const live = await stream(webB, `?project=${project.id}`);
    const from = live.messages.length;
    // The feeds are cut inside the transaction, so its commit falls in the gap (a reconnect takes
    // at least 100 ms): nobody is listening, so these changes are never notified to anyone.
    const dbName = new URL(t.env.DATABASE_URL!).pathname.slice(1);
    const [, , cut] = await psql([
      [`update clips set status = 'ready', progress = 1, updated_at = now() where id = $1`, [clip.id]],
      [`delete from clips where id = $1`, [doomed.id]],
      [`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'echoes-change-feed'`, [dbName]],
    ]);
    expect(cut!.rowCount).toBe(2); // both web processes' feeds
    const card = await live.next((m) => clipIdOf(m) === clip.id && m.data.includes('data-status="ready"'), 10_000, from);
    expect(card.data).toContain(`<hx-partial hx-target="#clip-${clip.id}"`);
    // The deleted clip has no row left to send: its card is taken off all the same.
    const gone = await live.next((m) => m.data.includes(`id="clip-${doomed.id}"`), 10_000, from);
    expect(live.messages.slice(from).filter((m) => m.data.includes(doomed.id))).toHaveLength(1);
    expect(gone.data).toBe(`<div id="clip-${doomed.id}" hx-swap-oob="delete"></div>`);
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).not.toContain(doomed.id);
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).toMatch(new RegExp(`data-clip-id="${clip.id}" data-status="ready"`));
    // And the feed works again afterwards.
    const after = live.messages.length;
    await psql([[`update users set name = 'Feed again' where id = $1`, [user.id]]]);
    await live.next((m) => m.data.includes('id="credit-balance"'), 5000, after);
  }, 60_000);

  it(`opens exactly ${MAX_STREAMS_PER_PERSON} of 40 streams asked for at once by one person`, async () => {
    const { browser } = await signedIn('feed-forty@example.com');
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        SseClient.open(`${i % 2 ? webA : webB}/events`, { cookie: browser.cookie }).then((c) => {
          open.push(c);
          return c;
        }),
      ),
    );
    expect(all.filter((c) => c.status === 200)).toHaveLength(MAX_STREAMS_PER_PERSON);
    expect(all.filter((c) => c.status === 429)).toHaveLength(40 - MAX_STREAMS_PER_PERSON);
    for (const c of all) c.close();
  }, 60_000);
});
