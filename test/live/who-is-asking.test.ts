import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { setDisabled } from '../../src/admin/users/service.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import type { User } from '../../src/platform/db-types.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { withSqlSpy } from '../setup/sql-spy.js';
import { BARRIER_SQL } from '../../src/platform/change-feed.js';

// Two web apps over one database and Redis, as two web processes behind a load balancer: what a
// person does (or an admin does to them) on one shows on the very next request to the other.

let t: TestContext;
let a: FastifyInstance;
let b: FastifyInstance;
beforeAll(async () => {
  t = await createTestContext();
  a = await buildApp(t.ctx);
  b = await buildApp(t.ctx);
  b.get('/test/whoami', async (req) => ({ id: (req.user as User).id, balance: (req.user as User).credit_balance }));
  await Promise.all([a.ready(), b.ready()]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await t?.close();
});

async function signedIn(email: string) {
  const browser = new TestBrowser(a);
  await browser.signInDev(email);
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const onB = (url: string) => b.inject({ url, headers: { cookie: browser.cookieHeader } });
  return { browser, user, onB };
}

const balanceShown = (html: string) => Number(/data-credit-balance="(\d+)"/.exec(html)?.[1]);

describe('who is asking', () => {
  it('is learnt with one query (the session and its user together), then from the cache', async () => {
    const { user, onB } = await signedIn('one-query@example.com');
    const { result: res, sql: sent } = await withSqlSpy(() => onB('/test/whoami'));
    expect(res.json()).toEqual({ id: user.id, balance: user.credit_balance });
    // Besides the change feed's barrier (one round trip on its own connection, src/platform/change-feed.ts).
    const queries = sent.filter((q) => q !== BARRIER_SQL);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatch(/from "sessions" left join "users"/);
    const { result: again, sql: none } = await withSqlSpy(() => onB('/test/whoami'));
    expect(again.json()).toEqual({ id: user.id, balance: user.credit_balance });
    // (The first request's last-seen note, written after its response, may land meanwhile.)
    expect(none.filter((q) => q !== BARRIER_SQL && !q.startsWith('update "sessions" set "last_seen_at"'))).toHaveLength(0);
  });

  it('many requests of one session at once make no query once it is kept (each gets its own copy of the user)', async () => {
    const { user, onB } = await signedIn('at-once@example.com');
    // Kept once a request makes no query (a read is not kept when any change, anyone's, lands while
    // it is under way: other test files write meanwhile).
    for (let i = 0; i < 20; i++) {
      const { sql } = await withSqlSpy(() => onB('/test/whoami'));
      if (!sql.some((q) => q.includes('from "sessions"'))) break;
    }
    const { result, sql: sent } = await withSqlSpy(() => Promise.all(Array.from({ length: 20 }, () => onB('/test/whoami'))));
    for (const res of result) expect(res.json()).toEqual({ id: user.id, balance: user.credit_balance });
    expect(sent.filter((q) => q !== BARRIER_SQL && !q.startsWith('update "sessions" set "last_seen_at"'))).toEqual([]);
  });

  it('a static file asked with the session cookie sends nothing to the database (not even the feed barrier)', async () => {
    const { onB } = await signedIn('static-files@example.com');
    await onB('/projects');
    const { result: res, sql: sent } = await withSqlSpy(() => onB('/assets/css/app.css'));
    expect(res.statusCode).toBe(200);
    // (The page's last-seen note, written after its response, may land meanwhile.)
    expect(sent.filter((q) => !q.startsWith('update "sessions" set "last_seen_at"'))).toEqual([]);
  });

  it('a session made on one web process is valid on the other', async () => {
    const { onB } = await signedIn('valid-on-b@example.com');
    const res = await onB('/projects');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-credit-balance=');
  });

  it('signing out on one shows on the next request to the other', async () => {
    const { browser, onB } = await signedIn('sign-out@example.com');
    expect((await onB('/projects')).statusCode).toBe(200);
    const copy = browser.cookieHeader;
    await browser.post('/logout');
    const res = await b.inject({ url: '/projects', headers: { cookie: copy } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('an admin disabling the account shows on the next request to the other', async () => {
    const { user, onB } = await signedIn('disabled@example.com');
    expect((await onB('/projects')).statusCode).toBe(200);
    await setDisabled(t.ctx.db, { ip: '127.0.0.1' }, user.id, true);
    const res = await onB('/projects');
    expect(res.statusCode).toBe(303);
  });

  it('a balance change shows on the next request to the other', async () => {
    const { user, onB } = await signedIn('balance@example.com');
    const before = balanceShown((await onB('/projects')).body);
    await withTx(t.ctx.db, (tx) => grantCredits(tx, user.id, 7, 'admin', null, 'test'));
    expect(balanceShown((await onB('/projects')).body)).toBe(before + 7);
  });
});

describe('what pages read', () => {
  it('a page or a card asked again makes no query (kept by the process, src/platform/person-reads.ts)', async () => {
    const { user, onB } = await signedIn('pages-again@example.com');
    const project = await t.ctx.db.insertInto('projects').values({ user_id: user.id, title: 'Kept', ratio: '1280:720' }).returningAll().executeTakeFirstOrThrow();
    const clip = await t.ctx.db
      .insertInto('clips')
      .values({ project_id: project.id, user_id: user.id, image_key: `images/${user.id}/${project.id}/a.jpg`, status: 'generating', progress: 0.5, duration_s: 5, ratio: '1280:720', position: 1, prompt: 'Kept card' })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const url of ['/projects', `/projects/${project.id}`, `/clips/${clip.id}`]) {
      const first = await onB(url);
      expect(first.statusCode).toBe(200);
      const { result: again, sql: sent } = await withSqlSpy(() => onB(url));
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain(url.startsWith('/clips') ? 'Kept card' : 'Kept');
      expect(sent.filter((q) => q !== BARRIER_SQL && !q.startsWith('update "sessions" set "last_seen_at"')), url).toEqual([]);
    }
  });

  it('someone else’s project or clip is still a 404 when the owner’s are kept', async () => {
    const owner = await signedIn('kept-owner@example.com');
    const other = await signedIn('kept-other@example.com');
    const project = await t.ctx.db.insertInto('projects').values({ user_id: owner.user.id, title: 'Mine', ratio: '1280:720' }).returningAll().executeTakeFirstOrThrow();
    expect((await owner.onB(`/projects/${project.id}`)).statusCode).toBe(200);
    expect((await other.onB(`/projects/${project.id}`)).statusCode).toBe(404);
  });
});
