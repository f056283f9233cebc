import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { createUser, expectLedgerBalanced } from '../factories.js';
import { createPack, signedInBuyer } from '../factories/billing.js';
import { grantCredits, spendCredits } from '../../src/credits/service.js';
import { withTx, type Tx } from '../../src/platform/db.js';
import { decoded } from '../setup/html.js';

let t: TestApp;

beforeAll(async () => {
  // Configured (so Buy buttons show) but never called: these tests only read the page.
  t = await createTestApp({ STRIPE_SECRET_KEY: 'sk_test_page', STRIPE_WEBHOOK_SECRET: 'whsec_page', STRIPE_API_URL: 'http://127.0.0.1:9' });
});
afterAll(async () => {
  await t?.close();
});

const tx = <T>(fn: (x: Tx) => Promise<T>) => withTx(t.ctx.db, fn);

describe('the credits page', () => {
  it('shows the balance, the active packs with prices per credit and Buy forms', async () => {
    const { browser } = await signedInBuyer(t.app, t.ctx.db);
    const res = await browser.get('/credits');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-balance-big="0"');
    for (const [name, price, per] of [['Starter', '$5.00', '$1.00'], ['Creator', '$18.00', '$0.90'], ['Studio', '$32.00', '$0.80']]) {
      expect(res.body).toContain(`<h3 class="pack-name">${name}</h3>`);
      expect(res.body).toContain(`Buy for ${price}`);
      expect(res.body).toContain(`${per} per credit`);
    }
    expect(res.body.indexOf('Starter')).toBeLessThan(res.body.indexOf('Studio'));
    expect(res.body.match(/name="pack_id"/g)?.length).toBe(3);
    expect(res.body.match(/name="_csrf"/g)!.length).toBeGreaterThanOrEqual(3);
    expect(res.body).toContain('Nothing here yet');
    expect(res.body).toContain('No purchases yet');
  });

  it('formats other currencies by their own rules and hides inactive packs', async () => {
    const yen = await createPack(t.ctx.db, { name: 'Tokyo', credits: 10, priceCents: 1500, currency: 'jpy', sortOrder: 20 });
    const euro = await createPack(t.ctx.db, { name: 'Paris', credits: 10, priceCents: 1250, currency: 'eur', sortOrder: 21 });
    await createPack(t.ctx.db, { name: 'Hidden', credits: 10, priceCents: 100, active: false });
    const { browser } = await signedInBuyer(t.app, t.ctx.db);
    const res = await browser.get('/credits');
    expect(decoded(res.body)).toContain('Buy for ¥1,500');
    expect(decoded(res.body)).toContain('¥150 per credit');
    expect(decoded(res.body)).toContain('Buy for €12.50');
    expect(res.body).not.toContain('Hidden');
    await t.ctx.db.deleteFrom('credit_packs').where('id', 'in', [yen.id, euro.id]).execute();
  });

  it('says in words what each ledger row was for, newest first', async () => {
    const referred = await createUser(t.ctx.db);
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    const u = user.id;
    const steps: Array<(x: Tx) => Promise<unknown>> = [
      (x) => grantCredits(x, u, 1, 'signup', `${u}`, 'Welcome credit'),
      (x) => grantCredits(x, u, 20, 'purchase', 'cs_test_words', 'Creator'),
      (x) => spendCredits(x, u, 2, 'generation', 'clip-1:1'),
      (x) => grantCredits(x, u, 2, 'refund', 'clip-1:1'),
      (x) => grantCredits(x, u, 2, 'referral', referred.id, 'Referral reward'),
      (x) => grantCredits(x, u, 1, 'share', 'project-1'),
      (x) => grantCredits(x, u, 5, 'admin', null, 'sorry for the outage'),
    ];
    for (const step of steps) await tx(step);
    const res = await browser.get('/credits');
    const words = ['Adjusted by Echoes: sorry for the outage', 'Share reward', 'Referral reward', 'Refund: generation failed', 'Clip generation', 'Bought Creator pack', 'Welcome credit'];
    const positions = words.map((w) => res.body.indexOf(w));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(decoded(res.body)).toContain('−2');
    expect(res.body).toContain('+20');
    expect(res.body).toContain('data-balance-big="29"');
    await expectLedgerBalanced(t.ctx.db);
  });

  it('pages the ledger, 20 rows a page, with and without htmx', async () => {
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    for (let i = 1; i <= 25; i++) await tx((x) => grantCredits(x, user.id, 1, 'share', `page-${user.id}-${i}`));
    const first = await browser.get('/credits');
    expect(first.body.match(/class="ledger-row"/g)?.length).toBe(20);
    expect(first.body).toContain('Page 1 of 2');
    expect(first.body).toContain('href="/credits?page=2"');

    const second = await browser.get('/credits?page=2', { 'hx-request': 'true' });
    expect(second.body.match(/class="ledger-row"/g)?.length).toBe(5);
    expect(second.body).not.toContain('<html');
    expect(second.body).toContain('Page 2 of 2');
    expect(second.body).toContain('href="/credits?page=1"');

    expect((await browser.get('/credits?page=99')).body).toContain('Page 2 of 2');
    expect((await browser.get('/credits?page=nope')).body).toContain('Page 1 of 2');
  });

  it('lists past payments with their status', async () => {
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    const pack = await t.ctx.db.selectFrom('credit_packs').selectAll().where('name', '=', 'Creator').executeTakeFirstOrThrow();
    for (const status of ['paid', 'failed', 'expired', 'refunded', 'pending'] as const) {
      await t.ctx.db
        .insertInto('payments')
        .values({ user_id: user.id, credit_pack_id: pack.id, amount_cents: 1800, currency: 'usd', credits_purchased: 20, status })
        .execute();
    }
    const res = await browser.get('/credits');
    for (const label of ['Paid', 'Failed', 'Expired', 'Refunded', 'Awaiting payment']) expect(res.body).toContain(`>${label}</span>`);
    expect(res.body.match(/data-payment-status=/g)?.length).toBe(5);
  });
});
