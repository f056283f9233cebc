import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import type { TestBrowser } from '../setup/browser.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows, createChargedClip } from '../factories/admin.js';
import type { Clip, User } from '../../src/platform/db-types.js';
import { getSettings, primaryRoute } from '../../src/settings/service.js';

let t: TestApp;
let b: TestBrowser;
let user: User;
let projectId: string;
beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
  b = await adminBrowser(t.app);
  user = await createUser(t.ctx.db, { email: 'maker@example.com', credits: 50 });
  projectId = (await createProject(t.ctx.db, user.id, { title: 'Night walk' })).id;
});
afterAll(async () => {
  await t?.close();
});

const hourAgo = () => new Date(Date.now() - 3600_000);
const failed = (refunded: boolean, extra: Partial<Clip> = {}, cost = 1) =>
  createChargedClip(t.ctx.db, user.id, projectId, {
    refunded,
    cost,
    values: {
      status: 'error', provider_task_id: 'task-' + Math.random().toString(36).slice(2), error_code: 'SAFETY.INPUT.TEXT',
      error_message: 'The image or prompt was refused by the provider.', error_detail: 'runway FAILED: {"failure":"moderation"}',
      request_id: 'req-abc12345', finished_at: new Date(), submitted_at: hourAgo(), ...extra,
    },
  });
const clip = (id: string) => t.ctx.db.selectFrom('clips').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const balance = async () => (await t.ctx.db.selectFrom('users').select('credit_balance').where('id', '=', user.id).executeTakeFirstOrThrow()).credit_balance;
const ledgerFor = (id: string) => t.ctx.db.selectFrom('credit_transactions').selectAll().where('reference_id', 'like', `${id}:%`).orderBy('created_at').execute();

describe('failed and stuck jobs', () => {
  it('lists failed and stuck clips with what it takes to debug them, and nothing else', async () => {
    const err = await failed(true);
    const stuckGen = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'generating', provider_task_id: 'task-stuck', submitted_at: hourAgo(), updated_at: new Date() } });
    const stuckQueued = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'queued', updated_at: hourAgo() } });
    const running = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'generating', submitted_at: new Date() } });
    const ready = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'ready', finished_at: new Date() } });

    const res = await b.get('/admin/jobs');
    expect(res.statusCode).toBe(200);
    for (const c of [err, stuckGen, stuckQueued]) expect(res.body).toContain(`data-clip-id="${c.id}"`);
    for (const c of [running, ready]) expect(res.body).not.toContain(`data-clip-id="${c.id}"`);
    for (const text of [err.provider_task_id!, 'SAFETY.INPUT.TEXT', 'The image or prompt was refused', 'runway FAILED: {&quot;failure&quot;:&quot;moderation&quot;}', 'req-abc12345', 'maker@example.com', 'gen4_turbo', 'Night walk', 'refunded']) {
      expect(res.body, text).toContain(text);
    }
    const errorsOnly = await b.get('/admin/jobs?filter=error');
    expect(errorsOnly.body).toContain(`data-clip-id="${err.id}"`);
    expect(errorsOnly.body).not.toContain(`data-clip-id="${stuckGen.id}"`);
    const stuckOnly = await b.get('/admin/jobs?filter=stuck');
    expect(stuckOnly.body).toContain(`data-clip-id="${stuckQueued.id}"`);
    expect(stuckOnly.body).not.toContain(`data-clip-id="${err.id}"`);
  });

  it('retries a refunded failure for free: back to queued as the next attempt, a job enqueued, no ledger rows', async () => {
    const c = await failed(true);
    const before = await balance();
    const res = await b.post(`/admin/jobs/${c.id}/retry`);
    expect(res.statusCode).toBe(303);
    const after = await clip(c.id);
    expect(after).toMatchObject({ status: 'queued', attempt: 2, credits_spent: 0, provider_task_id: null, error_code: null, error_message: null, error_detail: null, progress: 0 });
    // Reset like a creator's regeneration: today's primary provider and model, the retry request's id.
    expect(after).toMatchObject(primaryRoute(await getSettings(t.ctx.db), t.ctx.config));
    expect(after.provider).not.toBe(c.provider);
    expect(after.request_id).toMatch(/^[\w-]{8,64}$/);
    expect(after.request_id).not.toBe('req-abc12345');
    const job = await t.ctx.queues.generation.getJob(`${c.id}.2`);
    expect(job?.name).toBe('generate');
    expect(job?.data).toEqual({ clipId: c.id, attempt: 2, step: 'submit' });
    expect(await balance()).toBe(before);
    expect((await ledgerFor(c.id)).map((r) => r.type)).toEqual(['generation', 'refund']);
    const [audit] = await auditRows(t.ctx.db, 'clip.retry');
    expect(audit).toMatchObject({ target: c.id, before: { attempt: 1, status: 'error', refunded: true }, after: { attempt: 2, status: 'queued', credits_spent: 0 } });
    // Not failed any more: a second retry is refused.
    expect((await b.post(`/admin/jobs/${c.id}/retry`)).statusCode).toBe(409);
    expect(await t.ctx.queues.generation.getJob(`${c.id}.3`)).toBeUndefined();
    await expectLedgerBalanced(t.ctx.db);
  });

  it('carries the credits already paid into the retry when the failure was never refunded', async () => {
    const c = await failed(false);
    await b.post(`/admin/jobs/${c.id}/retry`);
    expect(await clip(c.id)).toMatchObject({ status: 'queued', attempt: 2, credits_spent: 1 });
    expect((await ledgerFor(c.id)).map((r) => r.type)).toEqual(['generation']);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('does not retry a stuck clip (its job may still be alive)', async () => {
    const c = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'generating', submitted_at: hourAgo() } });
    const res = await b.post(`/admin/jobs/${c.id}/retry`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Only failed generations can be retried');
    expect((await b.post('/admin/jobs/00000000-0000-4000-8000-000000000000/retry')).statusCode).toBe(404);
  });

  it('refunds by hand once, and says so when it was already refunded', async () => {
    const c = await failed(false, {}, 2);
    const before = await balance();
    expect((await b.post(`/admin/jobs/${c.id}/refund`)).statusCode).toBe(303);
    expect(await balance()).toBe(before + 2);
    expect((await b.get('/admin/jobs')).body).toContain('Refunded 2 credits.');
    expect((await b.post(`/admin/jobs/${c.id}/refund`)).statusCode).toBe(303);
    expect((await b.get('/admin/jobs')).body).toContain('Already refunded');
    expect(await balance()).toBe(before + 2);
    const rows = await ledgerFor(c.id);
    expect(rows.map((r) => [r.type, r.amount, r.reference_id])).toEqual([['generation', -2, `${c.id}:1`], ['refund', 2, `${c.id}:1`]]);

    const auto = await failed(true);
    const b2 = await balance();
    await b.post(`/admin/jobs/${auto.id}/refund`);
    expect(await balance()).toBe(b2);
    expect((await b.get('/admin/jobs')).body).toContain('Already refunded (the automatic refund happened)');
    const [audit] = await auditRows(t.ctx.db, 'clip.refund');
    expect(audit).toMatchObject({ target: auto.id, after: { already_refunded: true, credits: 0 } });
    await expectLedgerBalanced(t.ctx.db);
  });

  it('refunds a stuck clip, but not a running, finished or free one', async () => {
    const stuck = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'queued', updated_at: hourAgo() } });
    const before = await balance();
    await b.post(`/admin/jobs/${stuck.id}/refund`);
    expect(await balance()).toBe(before + 1);

    const running = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'generating', submitted_at: new Date() } });
    expect((await b.post(`/admin/jobs/${running.id}/refund`)).statusCode).toBe(409);
    const ready = await createChargedClip(t.ctx.db, user.id, projectId, { values: { status: 'ready' } });
    expect((await b.post(`/admin/jobs/${ready.id}/refund`)).statusCode).toBe(409);

    const free = await failed(true);
    await b.post(`/admin/jobs/${free.id}/retry`);
    await t.ctx.db.updateTable('clips').set({ status: 'error', error_code: 'INTERNAL' }).where('id', '=', free.id).execute();
    const refused = await b.post(`/admin/jobs/${free.id}/refund`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Nothing to refund: this attempt cost no credits.');
    await expectLedgerBalanced(t.ctx.db);
  });
});
