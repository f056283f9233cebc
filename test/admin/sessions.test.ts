import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { closeContext, createContext, type AppContext } from '../../src/platform/context.js';
import { createStorage } from '../../src/storage/index.js';
import { periodicTasks } from '../../src/worker.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows } from '../factories/admin.js';
import { TestBrowser } from '../setup/browser.js';
import { createTestApp, type TestApp } from '../setup/context.js';

// Issue 16, item 3: admin sessions are server-side rows, so sign-out and a password change end
// them for every web process, and the audit log shows sign-ins and sign-outs.

let t: TestApp;
const others: Array<{ app: FastifyInstance; ctx: AppContext }> = [];

beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  for (const o of others) {
    await o.app.close();
    await closeContext(o.ctx);
  }
  await t?.close();
});

/** Another web process over the same database and Redis, optionally with other settings. */
async function anotherProcess(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig({ ...t.env, ...env });
  const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
  const app = await buildApp(ctx);
  await app.ready();
  others.push({ app, ctx });
  return app;
}

/** A browser that only holds a copy of someone's admin cookie (a replay). */
function replay(app: FastifyInstance, cookie: string): TestBrowser {
  const b = new TestBrowser(app);
  b.cookies.set('echoes_admin', cookie);
  return b;
}

describe('admin sessions', () => {
  it('a copy of the admin cookie replayed after sign-out is sent back to the sign-in page', async () => {
    const b = await adminBrowser(t.app);
    const copy = b.cookies.get('echoes_admin')!;
    expect((await replay(t.app, copy).get('/admin/users')).statusCode).toBe(200);

    const out = await b.post('/admin/logout');
    expect(out.headers.location).toBe('/admin/login');
    const replayed = await replay(t.app, copy).get('/admin/users');
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
    const row = await t.ctx.db.selectFrom('admin_sessions').selectAll().where('ended_at', 'is not', null).executeTakeFirstOrThrow();
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row.id).not.toContain(copy); // only a hash of the token is stored
  });

  it('sign-out in one web process ends the session in every other', async () => {
    const second = await anotherProcess();
    const b = await adminBrowser(t.app);
    const copy = b.cookies.get('echoes_admin')!;
    expect((await replay(second, copy).get('/admin')).statusCode).toBe(200);
    await b.post('/admin/logout');
    expect((await replay(second, copy).get('/admin')).statusCode).toBe(303);
  });

  it('changing ADMIN_PASSWORD ends every admin session, and the new password opens a new one', async () => {
    const a = await adminBrowser(t.app);
    const c = await adminBrowser(t.app);
    const restarted = await anotherProcess({ ADMIN_PASSWORD: 'a brand new admin password' });
    for (const b of [a, c]) expect((await replay(restarted, b.cookies.get('echoes_admin')!).get('/admin')).statusCode).toBe(303);
    expect((await adminBrowser(restarted, 'a brand new admin password').then((b) => b.get('/admin'))).statusCode).toBe(200);
    // The old password's process still honours its own sessions: the password it checks is unchanged.
    expect((await a.get('/admin')).statusCode).toBe(200);
  });

  it('/admin/audit shows each sign-in and sign-out with its session, address and browser', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/admin/login');
    expect((await b.post('/admin/login', { password: ADMIN_PASSWORD }, { 'user-agent': 'AuditTest/1.0' })).statusCode).toBe(303);
    await b.post('/admin/logout');
    await b.post('/admin/logout'); // a second sign-out ends nothing and records nothing

    const [login] = await auditRows(t.ctx.db, 'admin.login');
    const logouts = (await auditRows(t.ctx.db, 'admin.logout')).filter((r) => (r.after as { session: string }).session === (login!.after as { session: string }).session);
    expect(login!.after).toMatchObject({ userAgent: 'AuditTest/1.0', session: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(logouts).toHaveLength(1);

    const viewer = await adminBrowser(t.app);
    const page = await viewer.get('/admin/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-audit-action="admin.login"');
    expect(page.body).toContain('data-audit-action="admin.logout"');
    expect(page.body).toContain('AuditTest/1.0');
  });

  it('expired sessions are purged by a worker task; live ones stay', async () => {
    const hour = 3_600_000;
    await t.ctx.db
      .insertInto('admin_sessions')
      .values([
        { id: 'expired-1', password_tag: 'x', expires_at: new Date(Date.now() - hour) },
        { id: 'expired-2', password_tag: 'x', expires_at: new Date(Date.now() - 1000), ended_at: new Date(Date.now() - hour) },
        { id: 'live-1', password_tag: 'x', expires_at: new Date(Date.now() + hour) },
      ])
      .execute();
    const task = periodicTasks.find((p) => p.name === 'expired-admin-session-purge')!;
    await task.run(t.ctx);
    const ids = (await t.ctx.db.selectFrom('admin_sessions').select('id').execute()).map((r) => r.id);
    expect(ids).toContain('live-1');
    expect(ids).not.toContain('expired-1');
    expect(ids).not.toContain('expired-2');
  });
});
