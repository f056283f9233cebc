import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, createPack, deliver, ledgerOf, packNamed, paymentForSession, signedInBuyer, startCheckout } from '../factories/billing.js';
import { startBillingApp } from '../setup/apps.js';
import type { StripeFake } from '../fakes/stripe.js';

let t: TestApp;
let fake: StripeFake;
let close = async () => {};

beforeAll(async () => {
  ({ t, fake, close } = await startBillingApp({ PUBLIC_URL: 'http://127.0.0.1:3000' }));
});
afterAll(() => close());

const signedIn = () => signedInBuyer(t.app, t.ctx.db);

describe('buying a credit pack', () => {
  it('goes checkout → Stripe → webhook → credits, with one purchase ledger row', async () => {
    const { user, browser } = await signedIn();
    const creator = await packNamed(t.ctx.db, 'Creator');
    const sessionId = await startCheckout(browser, fake, creator.id);

    const created = fake.requests.find((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST')!;
    expect(created.body).toMatchObject({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: '1800', product_data: { name: expect.stringContaining('Creator') } }, quantity: '1' }],
      success_url: 'http://127.0.0.1:3000/credits/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://127.0.0.1:3000/credits?cancelled=1',
      client_reference_id: user.id,
      customer_email: user.email,
      metadata: { pack_id: creator.id, credits: '20', user_id: user.id },
    });
    const pending = await paymentForSession(t.ctx.db, sessionId);
    expect(pending).toMatchObject({ status: 'pending', user_id: user.id, amount_cents: 1800, currency: 'usd', credits_purchased: 20 });
    expect(created.idempotencyKey).toBe(pending.id);
    expect(created.body.metadata.payment_id).toBe(pending.id);

    // Back from Stripe before the webhook: still processing, and the page polls.
    const waiting = await browser.get(`/credits/success?session_id=${sessionId}`);
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toContain('data-payment-state="processing"');
    expect(waiting.body).toContain('hx-trigger="every 10s');

    const res = await deliver(t.app, fake, 'checkout.session.completed', fake.complete(sessionId));
    expect(res.statusCode).toBe(200);

    expect(await balanceOf(t.ctx.db, user.id)).toBe(20);
    const paid = await paymentForSession(t.ctx.db, sessionId);
    expect(paid.status).toBe('paid');
    expect(paid.stripe_payment_intent).toBe(fake.session(sessionId).payment_intent);
    const ledger = await ledgerOf(t.ctx.db, user.id);
    expect(ledger.filter((r) => r.type === 'purchase')).toEqual([expect.objectContaining({ amount: 20, reference_id: sessionId })]);

    const done = await browser.get(`/credits/success?session_id=${sessionId}`, { 'hx-request': 'true' });
    expect(done.body).toContain('data-payment-state="paid"');
    expect(done.body).toContain('20 credits</strong> added');
    expect(done.body).not.toContain('hx-trigger');
    expect(done.body).toContain('data-credit-balance-update="20"');

    const page = await browser.get('/credits');
    expect(page.body).toContain('data-credit-balance="20"');
    expect(page.body).toContain('Bought Creator pack');
    expect(page.body).toContain('data-payment-status="paid"');
    await expectLedgerBalanced(t.ctx.db);
  });

  it('confirms with Stripe from the return page when the webhook is late, and grants once', async () => {
    const { user, browser } = await signedIn();
    const sessionId = await startCheckout(browser, fake, (await packNamed(t.ctx.db, 'Starter')).id);
    const completed = fake.complete(sessionId);

    const page = await browser.get(`/credits/success?session_id=${sessionId}`);
    expect(page.body).toContain('Payment received');
    expect(page.body).toContain('data-credit-balance="5"');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(5);

    // The webhook arrives afterwards: nothing more is granted.
    expect((await deliver(t.app, fake, 'checkout.session.completed', completed)).statusCode).toBe(200);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(5);
    expect((await ledgerOf(t.ctx.db, user.id)).length).toBe(1);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('takes the price from the database, whatever the form says', async () => {
    const { browser } = await signedIn();
    const studio = await packNamed(t.ctx.db, 'Studio');
    const before = fake.requests.length;
    const res = await browser.post('/credits/checkout', { pack_id: studio.id, amount_cents: 1, price_cents: 1, credits: 1000, currency: 'jpy' });
    expect(res.statusCode).toBe(303);
    const sent = fake.requests.slice(before).find((r) => r.method === 'POST')!;
    expect(sent.body.line_items[0].price_data).toMatchObject({ unit_amount: '3200', currency: 'usd' });
    expect(sent.body.metadata.credits).toBe('40');
    const sessionId = String(res.headers.location).split('/pay/')[1]!;
    expect(await paymentForSession(t.ctx.db, sessionId)).toMatchObject({ amount_cents: 3200, credits_purchased: 40 });
  });

  it('refuses an unknown, inactive or malformed pack without opening a payment', async () => {
    const { user, browser } = await signedIn();
    const retired = await createPack(t.ctx.db, { name: 'Retired', credits: 100, priceCents: 100, active: false });
    const before = fake.requests.length;
    expect((await browser.post('/credits/checkout', { pack_id: retired.id })).statusCode).toBe(404);
    expect((await browser.post('/credits/checkout', { pack_id: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect((await browser.post('/credits/checkout', { pack_id: 'starter' })).statusCode).toBe(404);
    expect((await browser.post('/credits/checkout', {})).statusCode).toBe(400);
    expect(fake.requests.length).toBe(before);
    const rows = await t.ctx.db.selectFrom('payments').select('id').where('user_id', '=', user.id).execute();
    expect(rows).toEqual([]);
  });

  it('needs a signed-in person and a CSRF token', async () => {
    const anon = await t.app.inject({ method: 'GET', url: '/credits' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/login?next=%2Fcredits');
    const { browser } = await signedIn();
    const pack = await packNamed(t.ctx.db, 'Starter');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/credits/checkout',
      headers: { cookie: browser.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `pack_id=${pack.id}`,
    });
    expect(forged.statusCode).toBe(403);
  });

  it("answers 404 for another person's session on the return page", async () => {
    const { browser: owner } = await signedIn();
    const sessionId = await startCheckout(owner, fake, (await packNamed(t.ctx.db, 'Starter')).id);
    const { browser: other } = await signedIn();
    expect((await other.get(`/credits/success?session_id=${sessionId}`)).statusCode).toBe(404);
    expect((await other.get('/credits/success?session_id=cs_test_nope')).statusCode).toBe(404);
    expect((await other.get('/credits/success')).statusCode).toBe(404);
    expect((await owner.get(`/credits/success?session_id=${sessionId}`)).statusCode).toBe(200);
  });

  it('says the checkout was cancelled when Stripe sends the person back', async () => {
    const { browser } = await signedIn();
    const res = await browser.get('/credits?cancelled=1');
    expect(res.body).toContain('Checkout cancelled. You have not been charged.');
  });
});
