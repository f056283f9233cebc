import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, deliver, ledgerOf, packNamed, paymentForSession, signedInBuyer, startCheckout } from '../factories/billing.js';
import { startBillingApp } from '../setup/apps.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import type { StripeFake } from '../fakes/stripe.js';

let t: TestApp;
let fake: StripeFake;
let close = async () => {};

beforeAll(async () => {
  ({ t, fake, close } = await startBillingApp({ ADMIN_PASSWORD }));
});
afterAll(() => close());

/** A signed-in buyer with an open checkout for the Creator pack (20 credits). */
async function openCheckout() {
  const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
  const sessionId = await startCheckout(browser, fake, (await packNamed(t.ctx.db, 'Creator')).id);
  return { user, browser, sessionId };
}

describe('Stripe webhook', () => {
  it('grants once when the same event arrives ten times, one after another and all at once', async () => {
    // The counters are the process's: other test files in this process may have counted before.
    const counted = async (result: string) => {
      const line = (await t.app.inject('/metrics')).body.split('\n').find((l) => l.startsWith(`echoes_webhook_events_total{type="checkout.session.completed",result="${result}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const [granted, alreadyPaid] = [await counted('granted'), await counted('already_paid')];
    const { user, sessionId } = await openCheckout();
    const { payload, headers } = fake.sign(fake.event('checkout.session.completed', fake.complete(sessionId)));
    const send = () => t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload });

    const concurrent = await Promise.all(Array.from({ length: 10 }, send));
    expect(concurrent.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    for (let i = 0; i < 10; i++) expect((await send()).statusCode).toBe(200);
    // The same session told again as another event (a duplicate of a different kind) changes nothing.
    expect((await deliver(t.app, fake, 'checkout.session.async_payment_succeeded', fake.session(sessionId))).statusCode).toBe(200);

    expect(await balanceOf(t.ctx.db, user.id)).toBe(20);
    expect((await ledgerOf(t.ctx.db, user.id)).map((r) => [r.type, r.amount, r.reference_id])).toEqual([['purchase', 20, sessionId]]);
    expect((await paymentForSession(t.ctx.db, sessionId)).status).toBe('paid');

    expect(await counted('granted')).toBe(granted + 1);
    expect(await counted('already_paid')).toBe(alreadyPaid + 19);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('refuses a forged, missing or tampered signature with 400 and grants nothing', async () => {
    const { user, sessionId } = await openCheckout();
    const session = fake.complete(sessionId);

    const forged = await deliver(t.app, fake, 'checkout.session.completed', session, { secret: 'whsec_not_the_real_one' });
    expect(forged.statusCode).toBe(400);

    const { payload, headers } = fake.sign(fake.event('checkout.session.completed', session));
    const unsigned = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json' }, payload });
    expect(unsigned.statusCode).toBe(400);
    const tampered = payload.replace('"amount_total":1800', '"amount_total":1');
    expect(tampered).not.toBe(payload);
    expect((await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload: tampered })).statusCode).toBe(400);
    // Re-serialised JSON (same data, other bytes) fails too: the signature covers the raw body.
    const reformatted = JSON.stringify(JSON.parse(payload), null, 2);
    expect((await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload: reformatted })).statusCode).toBe(400);

    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    expect((await paymentForSession(t.ctx.db, sessionId)).status).toBe('pending');
  });

  it('refuses a signature older than five minutes', async () => {
    const { user, sessionId } = await openCheckout();
    const stale = await deliver(t.app, fake, 'checkout.session.completed', fake.complete(sessionId), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.statusCode).toBe(400);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    const recent = await deliver(t.app, fake, 'checkout.session.completed', fake.session(sessionId), { timestamp: Math.floor(Date.now() / 1000) - 120 });
    expect(recent.statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(20);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('answers 200 to event types it does not handle', async () => {
    const res = await deliver(t.app, fake, 'customer.created', { id: 'cus_123', object: 'customer' });
    expect(res.statusCode).toBe(200);
    const unmatched = await deliver(t.app, fake, 'checkout.session.completed', { id: 'cs_test_other_shop', object: 'checkout.session', payment_status: 'paid', metadata: {} });
    expect(unmatched.statusCode).toBe(200);
  });

  it('marks an expired checkout and never grants it afterwards from a stale page', async () => {
    const { user, browser, sessionId } = await openCheckout();
    expect((await deliver(t.app, fake, 'checkout.session.expired', fake.expire(sessionId))).statusCode).toBe(200);
    expect((await paymentForSession(t.ctx.db, sessionId)).status).toBe('expired');
    const page = await browser.get(`/credits/success?session_id=${sessionId}`);
    expect(page.body).toContain('data-payment-state="expired"');
    expect((await browser.get('/credits')).body).toContain('data-payment-status="expired"');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
  });

  it('waits for a delayed payment, and marks it failed when it fails', async () => {
    const { user, browser, sessionId } = await openCheckout();
    const completed = fake.complete(sessionId, { paid: false });
    expect((await deliver(t.app, fake, 'checkout.session.completed', completed)).statusCode).toBe(200);
    const waiting = await paymentForSession(t.ctx.db, sessionId);
    expect(waiting).toMatchObject({ status: 'pending', stripe_payment_intent: completed.payment_intent });
    expect((await browser.get(`/credits/success?session_id=${sessionId}`)).body).toContain('data-payment-state="processing"');

    expect((await deliver(t.app, fake, 'checkout.session.async_payment_failed', fake.session(sessionId))).statusCode).toBe(200);
    expect((await paymentForSession(t.ctx.db, sessionId)).status).toBe('failed');
    expect((await browser.get(`/credits/success?session_id=${sessionId}`)).body).toContain('data-payment-state="failed"');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
  });

  it('grants a delayed payment when it succeeds, even if that news comes before "completed"', async () => {
    const { user, sessionId } = await openCheckout();
    const unpaid = fake.complete(sessionId, { paid: false });
    const settled = fake.settle(sessionId);
    expect((await deliver(t.app, fake, 'checkout.session.async_payment_succeeded', settled)).statusCode).toBe(200);
    expect((await deliver(t.app, fake, 'checkout.session.completed', unpaid)).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(20);
    expect((await paymentForSession(t.ctx.db, sessionId)).status).toBe('paid');
    await expectLedgerBalanced(t.ctx.db);
  });
});

// After the others: they count this file's webhook metrics from zero.
describe('Stripe webhook: the money it names', () => {
  // Issue 25, item 7: a correctly signed event for 1 JPY in live mode granted a 32.00 USD pack.
  it('grants nothing when the amount, currency or mode differ from the payment, and shows it on the admin overview', async () => {
    const { user, sessionId } = await openCheckout();
    const payment = await paymentForSession(t.ctx.db, sessionId);
    const paid = fake.complete(sessionId);
    expect(paid.amount_total).toBe(payment.amount_cents);
    const wrong = [
      { ...paid, amount_total: 1, currency: 'jpy', livemode: true },
      { ...paid, amount_total: payment.amount_cents - 1 },
      { ...paid, currency: 'eur' },
      { ...paid, livemode: true },
    ];
    for (const session of wrong) {
      expect((await deliver(t.app, fake, 'checkout.session.completed', session)).statusCode).toBe(200);
      expect((await deliver(t.app, fake, 'checkout.session.async_payment_succeeded', session)).statusCode).toBe(200);
    }
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    expect(await ledgerOf(t.ctx.db, user.id)).toEqual([]);
    const after = await t.ctx.db.selectFrom('payments').select(['status', 'mismatch']).where('id', '=', payment.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('pending');
    expect(after.mismatch).toMatch(/livemode true, expected false/);
    const metrics = await t.app.inject('/metrics');
    expect(metrics.body).toContain('echoes_webhook_events_total{type="checkout.session.completed",result="mismatch"} 4');

    const admin = await adminBrowser(t.app);
    const overview = await admin.get('/admin');
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('data-payment-mismatches');
    expect(overview.body).toContain(`data-payment-id="${payment.id}"`);
    expect(overview.body).toContain(user.email);

    // The true event still grants.
    expect((await deliver(t.app, fake, 'checkout.session.completed', paid)).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(20);
    await expectLedgerBalanced(t.ctx.db);
  });
});
