import { describe, expect, it } from 'vitest';
import { createTestApp } from '../setup/context.js';
import { useAdminApp } from './harness.js';
import { createProject, createUser } from '../factories.js';
import { ADMIN_PASSWORD, adminBrowser, createChargedClip, createPayment } from '../factories/admin.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { insertAudit } from '../../src/admin/queries.js';
import { decoded } from '../setup/html.js';

const w = useAdminApp();

/** The number shown in a stat card, by its heading. */
const stat = (html: string, heading: string) => Number(new RegExp(`<h2>${heading}</h2>\\s*<p class="stat-n">(\\d+)</p>`).exec(html)?.[1]);

describe('overview', () => {
  it('counts users, generations by outcome, credits sold and spent, revenue and queues', async () => {
    const u = await createUser(w.t.ctx.db, { credits: 10 });
    await createUser(w.t.ctx.db);
    const p = await createProject(w.t.ctx.db, u.id);
    await createChargedClip(w.t.ctx.db, u.id, p.id, { values: { status: 'ready', finished_at: new Date() } });
    await createChargedClip(w.t.ctx.db, u.id, p.id, { cost: 2, values: { status: 'ready', finished_at: new Date() } });
    await createChargedClip(w.t.ctx.db, u.id, p.id, { refunded: true, values: { status: 'error', error_code: 'SAFETY.INPUT.IMAGE', finished_at: new Date() } });
    await createChargedClip(w.t.ctx.db, u.id, p.id, { refunded: true, values: { status: 'error', error_code: 'CANCELLED', finished_at: new Date() } });
    await createChargedClip(w.t.ctx.db, u.id, p.id, { values: { status: 'ready', finished_at: new Date(Date.now() - 30 * 86400_000) } });
    const pack = await w.t.ctx.db.selectFrom('credit_packs').select('id').where('name', '=', 'Creator').executeTakeFirstOrThrow();
    const pay = await createPayment(w.t.ctx.db, u.id, pack.id, { cents: 1800, credits: 20 });
    await createPayment(w.t.ctx.db, u.id, pack.id, { cents: 1700, currency: 'eur', credits: 20 });
    await createPayment(w.t.ctx.db, u.id, pack.id, { cents: 999, status: 'pending' });
    await withTx(w.t.ctx.db, (tx) => grantCredits(tx, u.id, 20, 'purchase', pay.stripe_session_id));
    await w.t.ctx.queues.generation.add('generate', { clipId: 'x' }, { jobId: 'overview-test' });

    const res = await w.b.get('/admin');
    expect(res.statusCode).toBe(200);
    expect(stat(res.body, 'Users')).toBe(2);
    expect(stat(res.body, 'Credits sold')).toBe(20);
    expect(stat(res.body, 'Credits spent')).toBe(4); // 1 + 2 + 1 (older), the refunded two net to zero
    expect(stat(res.body, 'Credits given')).toBe(10);
    const outcomes = [...res.body.matchAll(/<span class="badge [^"]*">(ready|error|cancelled)<\/span><\/td>\s*<td class="num">(\d+)<\/td>\s*<td class="num">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(outcomes).toEqual([['ready', 2, 2], ['error', 1, 1], ['cancelled', 1, 1]]);
    expect(res.body).toContain('$18.00');
    expect(decoded(res.body)).toContain('€17.00');
    expect(res.body).not.toContain('$9.99');
    const gen = /<li data-queue="generation">([\s\S]*?)<\/li>/.exec(res.body)![1]!.replace(/\s+/g, ' ');
    expect(gen).not.toContain('unavailable');
    expect(gen).toContain('<b>1</b> waiting');
    expect(gen).toContain('<b>0</b> active');
    expect(gen).toContain('0 workers');
  });

  it('still renders with Redis down, saying the queues are unavailable', async () => {
    const down = await createTestApp({ ADMIN_PASSWORD, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const db = await adminBrowser(down.app);
      const started = Date.now();
      const res = await db.get('/admin');
      expect(res.statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.body).toContain('unavailable');
    } finally {
      await down.close();
    }
  });
});

describe('audit log', () => {
  it('lists admin actions newest first, filters by action, and pages', async () => {
    for (let i = 0; i < 55; i++) await insertAudit(w.t.ctx.db, 'admin', { action: 'test.bulk', target: `t${i}`, after: { i } });
    const user = await createUser(w.t.ctx.db);
    await w.b.post(`/admin/users/${user.id}/grant`, { amount: '3', reason: 'welcome back' });
    const res = await w.b.get('/admin/audit');
    expect(res.statusCode).toBe(200);
    const actions = [...res.body.matchAll(/data-audit-action="([^"]+)"/g)].map((m) => m[1]);
    expect(actions[0]).toBe('user.credits_grant');
    expect(actions).toHaveLength(50);
    expect(res.body).toContain('&quot;reason&quot;: &quot;welcome back&quot;');
    expect(res.body).toContain('from 127.0.0.1');
    const filtered = await w.b.get('/admin/audit?action=user.credits_grant');
    expect([...filtered.body.matchAll(/data-audit-action="([^"]+)"/g)]).toHaveLength(1);
    const bulk = await w.b.get('/admin/audit?action=test.bulk&page=2');
    expect([...bulk.body.matchAll(/data-audit-action="test.bulk"/g)]).toHaveLength(5);
    expect(bulk.body).toContain('Page 2 of 2');
  });
});
