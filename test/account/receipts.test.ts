import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../setup/browser.js';
import { deliver, packNamed, paymentForSession, signedInBuyer, startBillingApp, startCheckout } from '../factories/billing.js';
import { createUser } from '../factories.js';
import type { StripeFake } from '../fakes/stripe.js';
import type { TestApp } from '../setup/context.js';

let t: TestApp;
let fake: StripeFake;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, fake, close } = await startBillingApp());
});
afterAll(async () => {
  await close?.();
});

describe('receipts on /account', () => {
  it("links each paid purchase to Stripe's receipt, for its buyer only", async () => {
    const { browser } = await signedInBuyer(t.app, t.ctx.db);
    const pack = await packNamed(t.ctx.db, 'Starter');
    const sessionId = await startCheckout(browser, fake, pack.id);
    expect((await browser.get('/account')).body).toContain('No payments yet');
    await deliver(t.app, fake, 'checkout.session.completed', fake.complete(sessionId));
    const payment = await paymentForSession(t.ctx.db, sessionId);

    const page = await browser.get('/account');
    expect(page.body).toContain(`href="/account/receipts/${payment.id}"`);
    const res = await browser.get(`/account/receipts/${payment.id}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${fake.url}/receipts/ch_for_${payment.stripe_payment_intent}`);

    const stranger = new TestBrowser(t.app);
    await stranger.signInDev((await createUser(t.ctx.db)).email);
    expect((await stranger.get(`/account/receipts/${payment.id}`)).statusCode).toBe(404);
    expect((await browser.get('/account/receipts/not-a-uuid')).statusCode).toBe(404);

    fake.fail({ status: 500, times: 3 });
    const down = await browser.get(`/account/receipts/${payment.id}`);
    expect(down.statusCode).toBe(502);
    expect(down.body).toContain('Stripe did not answer');
    fake.fail(null);
  });
});
