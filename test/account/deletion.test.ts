import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { expectLedgerBalanced } from '../factories.js';
import { runDeletion } from '../../src/account/deletion.js';
import { isKnownReferralCode } from '../../src/auth/service.js';
import { providerFor } from '../../src/generation/providers/index.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows } from '../factories/admin.js';
import { fullAccount, objectsUnder } from './world.js';
import { startWorkers } from '../../src/worker.js';
import { waitFor } from '../factories/clips.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await t?.close();
});

/** Every uuid column of every table that holds this id (the books are moved, so none should). */
async function rowsReferencing(id: string): Promise<string[]> {
  const cols = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = 'public' and data_type in ('uuid', 'text')`.execute(t.ctx.db);
  const found: string[] = [];
  for (const c of cols.rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(c.table_name)} where ${sql.ref(c.column_name)}::text = ${id}`.execute(t.ctx.db);
    if (r.rows[0]!.n > 0) found.push(`${c.table_name}.${c.column_name}`);
  }
  return found;
}

async function seedRunningLocalTask(taskId: string) {
  await t.ctx.redis.hset(`${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}`, 'state', 'running', 'progress', '0.3');
}

async function pendingDeletionId(userId: string): Promise<string> {
  const row = await t.ctx.db.selectFrom('account_deletions').select('id').where('user_id', '=', userId).executeTakeFirstOrThrow();
  return row.id;
}

describe('deleting my account', () => {
  it('refuses without the right email, and deletes nothing', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);
    const page = await b.get('/account');
    expect(page.body).toContain('data-delete-projects="2"');
    const { credit_balance } = await t.ctx.db.selectFrom('users').select('credit_balance').where('id', '=', w.user.id).executeTakeFirstOrThrow();
    expect(credit_balance).toBe(13); // 10 given + 5 bought + 2 referral − 1 − 1 − 2 for clips
    expect(page.body).toContain(`data-delete-credits="13"`);
    expect(page.body).toContain('2 projects and 3 clips');
    for (const typed of ['', 'someone@else.com']) {
      const res = await b.post('/account/delete', { confirm_email: typed });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/Type your email address to confirm|not the email address of this account/);
    }
    expect((await b.get('/account')).statusCode).toBe(200);
    expect(await t.ctx.db.selectFrom('account_deletions').selectAll().where('user_id', '=', w.user.id).execute()).toEqual([]);
  });

  // Issue 25, item 6 (ledger part): share rows used to carry `Shared "<project title>"` into the
  // anonymous books.
  it('leaves no creator text in the books it keeps', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const { withTx } = await import('../../src/platform/db.js');
    const { grantCredits } = await import('../../src/credits/service.js');
    await withTx(t.ctx.db, (tx) => grantCredits(tx, w.user.id, 1, 'share', w.project.id, 'Shared "My secret birthday film"'));
    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);
    expect((await b.post('/account/delete', { confirm_email: w.user.email })).statusCode).toBe(200);
    const id = await pendingDeletionId(w.user.id);
    expect(await runDeletion(t.ctx, id)).toBe('done');
    const d = await t.ctx.db.selectFrom('account_deletions').select('anon_id').where('id', '=', id).executeTakeFirstOrThrow();
    const notes = (await t.ctx.db.selectFrom('credit_transactions').select('note').where('user_id', '=', d.anon_id).execute()).map((r) => r.note ?? '');
    expect(notes).toContain('Share reward');
    expect(notes.join('\n')).not.toContain('birthday');
    await expectLedgerBalanced(t.ctx.db);
  });

  it('ends every session at once, then the job removes media and rows, keeps the books anonymously, and a kill midway resumes', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    await seedRunningLocalTask(w.taskId);
    const here = new TestBrowser(t.app);
    const phone = new TestBrowser(t.app);
    await here.signInDev(w.user.email);
    await phone.signInDev(w.user.email);
    const othersObjects = await objectsUnder(t.ctx.storage, w.other.id);
    const friendLedger = await t.ctx.db.selectFrom('credit_transactions').select(['amount', 'type']).where('user_id', '=', w.friend.id).execute();
    expect((await objectsUnder(t.ctx.storage, w.user.id)).length).toBeGreaterThanOrEqual(7);

    const res = await here.post('/account/delete', { confirm_email: `  ${w.user.email.toUpperCase()} ` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-account-deleted');
    // Before any job ran: both devices are signed out and the referral link is dead.
    expect(await t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', w.user.id).execute()).toEqual([]);
    expect((await phone.get('/projects')).headers.location).toMatch(/^\/login/);
    expect((await here.get('/account')).headers.location).toMatch(/^\/login/);

    // A worker killed midway: it stopped the generation and emptied one prefix, then died.
    const id = await pendingDeletionId(w.user.id);
    expect(await runDeletion(t.ctx, id, ['cancel'])).toBe('partial');
    await t.ctx.storage.deletePrefix(`images/${w.user.id}/`);
    expect((await providerFor(t.ctx, 'local').status(w.taskId)).state).toBe('cancelled');
    expect(await runDeletion(t.ctx, id)).toBe('done');
    expect(await runDeletion(t.ctx, id)).toBe('done'); // and again: nothing left to do

    expect(await objectsUnder(t.ctx.storage, w.user.id)).toEqual([]);
    expect(await objectsUnder(t.ctx.storage, w.other.id)).toEqual(othersObjects);
    expect(await rowsReferencing(w.user.id)).toEqual([]);
    expect(await isKnownReferralCode(t.ctx.db, w.user.referral_code)).toBeNull();

    // The books: the payment and every ledger row kept under one anonymous id, and still adding up.
    const d = await t.ctx.db.selectFrom('account_deletions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(d).toMatchObject({ status: 'done', user_id: null });
    const payment = await t.ctx.db.selectFrom('payments').selectAll().where('id', '=', w.payment.id).executeTakeFirstOrThrow();
    expect(payment.user_id).toBe(d.anon_id);
    const anonLedger = await t.ctx.db.selectFrom('credit_transactions').select(['type', 'amount']).where('user_id', '=', d.anon_id).execute();
    expect(anonLedger.map((r) => r.type).sort()).toEqual(['admin', 'generation', 'generation', 'generation', 'purchase', 'referral', 'refund']);
    const anon = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', d.anon_id).executeTakeFirstOrThrow();
    expect(anon).toMatchObject({ google_sub: null, name: 'Deleted account' });
    expect(anon.deleted_at).not.toBeNull();
    // The referrer keeps their reward (now naming the anonymous id); the friend keeps theirs.
    const referrerRows = await t.ctx.db.selectFrom('credit_transactions').select(['type', 'reference_id']).where('user_id', '=', w.referrer.id).where('type', '=', 'referral').execute();
    expect(referrerRows).toEqual([{ type: 'referral', reference_id: d.anon_id }]);
    expect(await t.ctx.db.selectFrom('credit_transactions').select(['amount', 'type']).where('user_id', '=', w.friend.id).execute()).toEqual(friendLedger);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('signing in again with the same account gives a new, empty account with no second welcome credit', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);
    await b.post('/account/delete', { confirm_email: w.user.email });
    expect(await runDeletion(t.ctx, await pendingDeletionId(w.user.id))).toBe('done');

    const again = new TestBrowser(t.app);
    await again.signInDev(w.user.email);
    const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', w.user.email).executeTakeFirstOrThrow();
    expect(user.id).not.toBe(w.user.id);
    expect(user.credit_balance).toBe(0);
    expect(await t.ctx.db.selectFrom('credit_transactions').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    const page = await again.get('/projects');
    expect(page.body).toContain('data-credit-balance="0"');
    // Someone new still gets their welcome credit.
    const fresh = new TestBrowser(t.app);
    await fresh.signInDev(`new-${Date.now()}@example.com`);
    expect((await fresh.get('/projects')).body).toContain('data-credit-balance="1"');
    // Only the hash is kept: nothing names the old subject.
    const kept = await t.ctx.db.selectFrom('deleted_subjects').selectAll().execute();
    expect(JSON.stringify(kept)).not.toContain(w.user.email);
  });

  it('an admin sees pending downloads and deletion, and can delete an account the same way, audited without naming the person', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const person = new TestBrowser(t.app);
    await person.signInDev(w.user.email);
    await person.post('/account/export');
    const admin = await adminBrowser(t.app);
    const page = await admin.get(`/admin/users/${w.user.id}`);
    expect(page.body).toContain('data-account-export="queued"');
    expect(page.body).toContain('Delete this account');

    const wrong = await admin.post(`/admin/users/${w.user.id}/delete`, { confirm_email: 'nope@example.com' });
    expect(wrong.statusCode).toBe(400);
    expect((await person.get('/projects')).statusCode).toBe(200);

    const res = await admin.post(`/admin/users/${w.user.id}/delete`, { confirm_email: w.user.email });
    expect(res.statusCode).toBe(303);
    expect((await person.get('/projects')).headers.location).toMatch(/^\/login/);
    expect((await admin.get(`/admin/users/${w.user.id}`)).body).toContain('data-deletion-pending');
    const id = await pendingDeletionId(w.user.id);
    const d = await t.ctx.db.selectFrom('account_deletions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(d.requested_by).toBe('admin');
    const [audit] = await auditRows(t.ctx.db, 'user.delete');
    expect(audit).toMatchObject({ target: d.anon_id });

    expect(await runDeletion(t.ctx, id)).toBe('done');
    expect(await rowsReferencing(w.user.id)).toEqual([]);
    expect(await objectsUnder(t.ctx.storage, w.user.id)).toEqual([]);
    expect((await admin.get(`/admin/users/${w.user.id}`)).statusCode).toBe(404);
    await expectLedgerBalanced(t.ctx.db);
  });

  // Issue 25, item 6 (the rest): the admin audit and the local provider's Redis task state.
  it('pseudonymises the admin trail (targets, ids inside, free-text reasons) and deletes the local provider’s task state', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const admin = await adminBrowser(t.app);
    const reason = 'Sorry Alice Example, the outage ate your clip';
    expect((await admin.post(`/admin/users/${w.user.id}/grant`, { amount: 3, reason })).statusCode).toBe(303);
    expect((await admin.post(`/admin/users/${w.user.id}/disable`)).statusCode).toBe(303);
    expect((await admin.post(`/admin/users/${w.user.id}/enable`)).statusCode).toBe(303);
    // An entry naming the person inside (a refund names whose credits they were).
    const { insertAudit } = await import('../../src/admin/queries.js');
    await insertAudit(t.ctx.db, 'admin', { action: 'clip.refund', target: w.running.id, after: { user_id: w.user.id, credits: 2 } });
    const unrelated = await t.ctx.db.selectFrom('admin_audit').select('id').where('target', '=', w.other.id).execute();

    // The local provider's state of the person's renders: the current task and an earlier attempt's.
    const key = (taskId: string) => `${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}`;
    const earlier = `local-earlier-${w.running.id}`;
    await t.ctx.db.insertInto('provider_submissions').values({ clip_id: w.running.id, attempt: 1, provider: 'local', model: null, status: 'accepted', task_id: earlier }).execute();
    for (const id of [w.taskId, earlier]) {
      await t.ctx.redis.hset(key(id), 'state', 'succeeded', 'input', JSON.stringify({ prompt: 'a slow pan over the sea', imageKey: `images/${w.user.id}/x.jpg` }));
      await t.ctx.redis.set(`${key(id)}:lease`, 'someone', 'PX', 15_000);
    }
    const othersTask = `local-others-${w.other.id}`;
    await t.ctx.redis.hset(key(othersTask), 'state', 'running');

    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);
    expect((await b.post('/account/delete', { confirm_email: w.user.email })).statusCode).toBe(200);
    const id = await pendingDeletionId(w.user.id);
    expect(await runDeletion(t.ctx, id)).toBe('done');
    const { anon_id: anonId } = await t.ctx.db.selectFrom('account_deletions').select('anon_id').where('id', '=', id).executeTakeFirstOrThrow();

    expect(await rowsReferencing(w.user.id)).toEqual([]);
    const trail = await t.ctx.db.selectFrom('admin_audit').selectAll().where('target', '=', anonId).orderBy('created_at').execute();
    expect(trail.map((r) => r.action)).toEqual(['user.credits_grant', 'user.disable', 'user.enable']);
    expect(trail[0]!.after).toMatchObject({ amount: 3, reason: 'Adjusted by an admin (reason removed with the account)' });
    const refund = await t.ctx.db.selectFrom('admin_audit').selectAll().where('target', '=', w.running.id).executeTakeFirstOrThrow();
    expect(refund.after).toEqual({ user_id: anonId, credits: 2 });
    const everything = JSON.stringify(await t.ctx.db.selectFrom('admin_audit').selectAll().execute());
    expect(everything).not.toContain(w.user.id);
    expect(everything).not.toContain('Alice');
    expect(await t.ctx.db.selectFrom('admin_audit').select('id').where('target', '=', w.other.id).execute()).toEqual(unrelated);
    // The ledger's admin row says the same, and the books still add up.
    const notes = await t.ctx.db.selectFrom('credit_transactions').select('note').where('user_id', '=', anonId).where('type', '=', 'admin').execute();
    expect(notes.map((n) => n.note)).toContain('Adjusted by an admin (reason removed with the account)');
    expect(JSON.stringify(notes)).not.toContain('Alice');
    await expectLedgerBalanced(t.ctx.db);

    for (const taskId of [w.taskId, earlier]) {
      expect(await t.ctx.redis.exists(key(taskId), `${key(taskId)}:lease`)).toBe(0);
    }
    expect(await t.ctx.redis.hget(key(othersTask), 'state')).toBe('running');
  });

  it('is carried out by the queued job on a real worker', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);
    await b.post('/account/delete', { confirm_email: w.user.email });
    const id = await pendingDeletionId(w.user.id);
    const workers = startWorkers(t.ctx, { periodic: false });
    try {
      await waitFor(async () => (await t.ctx.db.selectFrom('account_deletions').select('status').where('id', '=', id).executeTakeFirst())?.status === 'done', 'deletion done');
    } finally {
      await workers.close();
    }
    expect(await objectsUnder(t.ctx.storage, w.user.id)).toEqual([]);
    expect(await t.ctx.db.selectFrom('users').select('id').where('id', '=', w.user.id).execute()).toEqual([]);
    await expectLedgerBalanced(t.ctx.db);
  });
});
