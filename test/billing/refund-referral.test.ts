import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { createUser, expectLedgerBalanced } from '../factories.js';
import { balanceOf, deliver, ledgerOf, packNamed, paymentForSession, signedInBuyer, startCheckout } from '../factories/billing.js';
import { startBillingApp } from '../setup/apps.js';
import type { StripeFake } from '../fakes/stripe.js';
import { spendCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { saveSettings } from '../../src/settings/service.js';

let t: TestApp;
let fake: StripeFake;
let close = async () => {};

beforeAll(async () => {
  ({ t, fake, close } = await startBillingApp());
});
afterAll(() => close());

/** Buys a pack end to end (checkout, paid webhook); returns the session id. */
async function buy(browser: Awaited<ReturnType<typeof signedInBuyer>>['browser'], packName: string): Promise<string> {
  const sessionId = await startCheckout(browser, fake, (await packNamed(t.ctx.db, packName)).id);
  expect((await deliver(t.app, fake, 'checkout.session.completed', fake.complete(sessionId))).statusCode).toBe(200);
  return sessionId;
}

const spend = (userId: string, amount: number, ref: string) => withTx(t.ctx.db, (tx) => spendCredits(tx, userId, amount, 'generation', ref));

describe('refunds', () => {
  it('takes back only the credits still unspent, never going below zero, once', async () => {
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    const sessionId = await buy(browser, 'Creator');
    await spend(user.id, 15, 'clip-a:1');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(5);

    const charge = fake.refund(sessionId);
    for (let i = 0; i < 3; i++) expect((await deliver(t.app, fake, 'charge.refunded', charge)).statusCode).toBe(200);

    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    expect((await paymentForSession(t.ctx.db, sessionId)).status).toBe('refunded');
    const takeBack = (await ledgerOf(t.ctx.db, user.id)).filter((r) => r.reference_id?.startsWith(`refund:${sessionId}`));
    expect(takeBack).toEqual([expect.objectContaining({ type: 'purchase', amount: -5 })]);

    const page = await browser.get('/credits');
    expect(page.body).toContain('Refunded purchase: Creator pack');
    expect(page.body).toContain('data-payment-status="refunded"');

    // A late "completed" for the refunded session grants nothing again.
    expect((await deliver(t.app, fake, 'checkout.session.completed', fake.session(sessionId))).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('takes nothing when everything was spent, and a share for a partial refund', async () => {
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    const spent = await buy(browser, 'Starter');
    await spend(user.id, 5, 'clip-b:1');
    expect((await deliver(t.app, fake, 'charge.refunded', fake.refund(spent))).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    expect((await paymentForSession(t.ctx.db, spent)).status).toBe('refunded');

    const half = await buy(browser, 'Studio');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(40);
    expect((await deliver(t.app, fake, 'charge.refunded', fake.refund(half, 1600))).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(20);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('a second, later refund of the same charge takes back the rest; replays change nothing', async () => {
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    const studio = await buy(browser, 'Studio');
    const start = await balanceOf(t.ctx.db, user.id);
    const full = fake.session(studio).amount_total;
    // Stripe sends charge.refunded per refund, with the running total: a quarter, then all of it.
    expect((await deliver(t.app, fake, 'charge.refunded', fake.refund(studio, full / 4))).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(start - 10);
    const rest = fake.refund(studio, full);
    for (let i = 0; i < 2; i++) expect((await deliver(t.app, fake, 'charge.refunded', rest)).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(start - 40);
    expect((await ledgerOf(t.ctx.db, user.id)).filter((r) => r.reference_id?.startsWith(`refund:${studio}`)).map((r) => r.amount).sort()).toEqual([-10, -30]);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('a refund of a payment that was never credited takes nothing, however often it comes', async () => {
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
    const sessionId = await startCheckout(browser, fake, (await packNamed(t.ctx.db, 'Starter')).id);
    const before = await balanceOf(t.ctx.db, user.id);
    for (let i = 0; i < 2; i++) expect((await deliver(t.app, fake, 'charge.refunded', fake.refund(sessionId))).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(before);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('ignores a refund for a charge it does not know', async () => {
    const res = await deliver(t.app, fake, 'charge.refunded', { id: 'ch_x', object: 'charge', amount: 500, amount_refunded: 500, payment_intent: 'pi_unknown' });
    expect(res.statusCode).toBe(200);
  });
});

describe('referral reward', () => {
  it("pays the referrer once, on the referred person's first paid payment", async () => {
    const referrer = await createUser(t.ctx.db);
    const { user, browser } = await signedInBuyer(t.app, t.ctx.db, { referredBy: referrer.id });

    // An abandoned checkout earns nothing.
    const abandoned = await startCheckout(browser, fake, (await packNamed(t.ctx.db, 'Starter')).id);
    await deliver(t.app, fake, 'checkout.session.expired', fake.expire(abandoned));
    expect(await balanceOf(t.ctx.db, referrer.id)).toBe(0);

    const first = await buy(browser, 'Starter');
    expect(await balanceOf(t.ctx.db, referrer.id)).toBe(2);
    await deliver(t.app, fake, 'checkout.session.completed', fake.session(first));
    await buy(browser, 'Creator');
    expect(await balanceOf(t.ctx.db, referrer.id)).toBe(2);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(25);

    const rows = await ledgerOf(t.ctx.db, referrer.id);
    expect(rows.map((r) => [r.type, r.amount, r.reference_id])).toEqual([['referral', 2, user.id]]);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('uses the referral reward setting, and pays nothing when it is zero or nobody referred', async () => {
    await saveSettings(t.ctx.db, { referralReward: 3 });
    const referrer = await createUser(t.ctx.db);
    const referred = await signedInBuyer(t.app, t.ctx.db, { referredBy: referrer.id });
    await buy(referred.browser, 'Starter');
    expect(await balanceOf(t.ctx.db, referrer.id)).toBe(3);

    await saveSettings(t.ctx.db, { referralReward: 0 });
    const other = await createUser(t.ctx.db);
    const second = await signedInBuyer(t.app, t.ctx.db, { referredBy: other.id });
    await buy(second.browser, 'Starter');
    expect(await balanceOf(t.ctx.db, other.id)).toBe(0);
    // The reward is for the first payment only: a later one, with the reward back on, earns nothing.
    await saveSettings(t.ctx.db, { referralReward: 2 });
    await buy(second.browser, 'Starter');
    expect(await balanceOf(t.ctx.db, other.id)).toBe(0);

    const loner = await signedInBuyer(t.app, t.ctx.db);
    await buy(loner.browser, 'Starter');
    const rewards = await t.ctx.db.selectFrom('credit_transactions').select('id').where('type', '=', 'referral').where('reference_id', 'in', [second.user.id, loner.user.id]).execute();
    expect(rewards).toEqual([]);
    await expectLedgerBalanced(t.ctx.db);
  });
});
