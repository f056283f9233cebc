import { describe, expect, it } from 'vitest';
import { useAdminApp } from './harness.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { auditRows, createPayment } from '../factories/admin.js';

const w = useAdminApp();

const balance = async (id: string) => (await w.t.ctx.db.selectFrom('users').select('credit_balance').where('id', '=', id).executeTakeFirstOrThrow()).credit_balance;

describe('users', () => {
  it('searches by email or name, any case, paginated', async () => {
    await createUser(w.t.ctx.db, { email: 'ada@lovelace.org', name: 'Ada Lovelace' });
    await createUser(w.t.ctx.db, { email: 'grace@navy.mil', name: 'Grace Hopper' });
    for (let i = 0; i < 26; i++) await createUser(w.t.ctx.db, { email: `bulk${i}@example.com`, name: 'Bulk 100%' });
    const byEmail = await w.b.get('/admin/users?q=LOVELACE');
    expect(byEmail.body).toContain('ada@lovelace.org');
    expect(byEmail.body).not.toContain('grace@navy.mil');
    const byName = await w.b.get('/admin/users?q=hopper');
    expect(byName.body).toContain('grace@navy.mil');
    // LIKE wildcards in the search are literal.
    expect((await w.b.get('/admin/users?q=%25')).body).toContain('bulk25@example.com');
    expect((await w.b.get('/admin/users?q=%25')).body).not.toContain('grace@navy.mil');
    expect((await w.b.get('/admin/users?q=_')).body).toContain('No user matches');
    const page1 = await w.b.get('/admin/users?q=bulk');
    expect(page1.body).toContain('Page 1 of 2');
    expect(page1.body).toContain('href="/admin/users?q=bulk&amp;page=2"');
    const page2 = await w.b.get('/admin/users?q=bulk&page=2');
    expect(page2.body.match(/class="user-row"/g)).toHaveLength(1);
    expect((await w.b.get('/admin/users?q=nobody-like-this')).body).toContain('No user matches');
  });

  it('shows a profile with balance, ledger, payments and projects', async () => {
    const user = await createUser(w.t.ctx.db, { email: 'profile@example.com', name: 'Pro File', credits: 3 });
    await createProject(w.t.ctx.db, user.id, { title: 'Summer reel' });
    const pack = await w.t.ctx.db.selectFrom('credit_packs').select('id').where('name', '=', 'Starter').executeTakeFirstOrThrow();
    await createPayment(w.t.ctx.db, user.id, pack.id, { cents: 500 });
    const res = await w.b.get(`/admin/users/${user.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-admin-balance="3"');
    expect(res.body).toContain('test grant');
    expect(res.body).toContain('Summer reel');
    expect(res.body).toContain('$5.00');
    expect((await w.b.get('/admin/users/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('grants and takes credits with a reason, keeping the ledger equal to the balance', async () => {
    const user = await createUser(w.t.ctx.db, { credits: 2 });
    expect((await w.b.post(`/admin/users/${user.id}/grant`, { amount: '10', reason: 'Sorry for the outage' })).statusCode).toBe(303);
    expect(await balance(user.id)).toBe(12);
    expect((await w.b.post(`/admin/users/${user.id}/take`, { amount: '4', reason: 'Duplicate grant' })).statusCode).toBe(303);
    expect(await balance(user.id)).toBe(8);
    const rows = await w.t.ctx.db.selectFrom('credit_transactions').selectAll().where('user_id', '=', user.id).where('note', 'in', ['Sorry for the outage', 'Duplicate grant']).orderBy('amount').execute();
    expect(rows.map((r) => [r.type, r.amount, r.reference_id])).toEqual([['admin', -4, null], ['admin', 10, null]]);
    const [take] = await auditRows(w.t.ctx.db, 'user.credits_take');
    expect(take).toMatchObject({ target: user.id, before: { balance: 12 }, after: { balance: 8, amount: -4, reason: 'Duplicate grant' } });
    expect(await auditRows(w.t.ctx.db, 'user.credits_grant')).toHaveLength(1);
    await expectLedgerBalanced(w.t.ctx.db);
  });

  it('refuses to take more than the balance, and requires a reason and a whole amount', async () => {
    const user = await createUser(w.t.ctx.db, { credits: 2 });
    const tooMuch = await w.b.post(`/admin/users/${user.id}/take`, { amount: '3', reason: 'Clawback' });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.body).toContain('Cannot take 3 credits: the balance is only 2.');
    expect(tooMuch.body).toContain('value="Clawback"');
    for (const [form, status, message] of [
      [{ amount: '5', reason: '' }, 400, 'Give a reason'],
      [{ amount: '5', reason: '  ' }, 400, 'Give a reason'],
      [{ amount: '0', reason: 'Reasonable' }, 400, 'Enter a whole number of credits'],
      [{ amount: '1.5', reason: 'Reasonable' }, 400, 'Enter a whole number of credits'],
      [{ amount: '-5', reason: 'Reasonable' }, 400, 'Enter a whole number of credits'],
    ] as const) {
      const res = await w.b.post(`/admin/users/${user.id}/grant`, form);
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain(message);
    }
    expect(await balance(user.id)).toBe(2);
    expect((await w.b.post('/admin/users/00000000-0000-4000-8000-000000000000/grant', { amount: '1', reason: 'ghost' })).statusCode).toBe(404);
    await expectLedgerBalanced(w.t.ctx.db);
  });

  it('keeps the ledger balanced under simultaneous takes', async () => {
    const user = await createUser(w.t.ctx.db, { credits: 5 });
    const results = await Promise.all(Array.from({ length: 8 }, () => w.b.post(`/admin/users/${user.id}/take`, { amount: '1', reason: 'race test' })));
    expect(results.filter((r) => r.statusCode === 303)).toHaveLength(5);
    expect(results.filter((r) => r.statusCode === 422)).toHaveLength(3);
    expect(await balance(user.id)).toBe(0);
    await expectLedgerBalanced(w.t.ctx.db);
  });

  it('disabling signs the person out at their next request and keeps them out; enabling lets them back', async () => {
    const creator = new TestBrowser(w.t.app);
    await creator.signInDev('disable-me@example.com');
    expect((await creator.get('/')).body).toContain('data-credit-balance=');
    const user = await w.t.ctx.db.selectFrom('users').selectAll().where('email', '=', 'disable-me@example.com').executeTakeFirstOrThrow();

    expect((await w.b.post(`/admin/users/${user.id}/disable`)).statusCode).toBe(303);
    expect((await w.t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute())).toHaveLength(0);
    expect((await creator.get('/')).body).not.toContain('data-credit-balance=');
    const again = new TestBrowser(w.t.app);
    await again.signInDev('disable-me@example.com').catch(() => {});
    expect((await again.get('/')).body).not.toContain('data-credit-balance=');
    expect((await w.b.get(`/admin/users/${user.id}`)).body).toContain('disabled since');
    const [audit] = await auditRows(w.t.ctx.db, 'user.disable');
    expect(audit).toMatchObject({ target: user.id, before: { disabled_at: null } });

    expect((await w.b.post(`/admin/users/${user.id}/enable`)).statusCode).toBe(303);
    const back = new TestBrowser(w.t.app);
    await back.signInDev('disable-me@example.com');
    expect((await back.get('/')).body).toContain('data-credit-balance=');
    expect(await auditRows(w.t.ctx.db, 'user.enable')).toHaveLength(1);
  });
});
