import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { packNamed, signedInBuyer } from '../factories/billing.js';
import { startBillingApp } from '../setup/apps.js';
import type { StripeFake } from '../fakes/stripe.js';

let t: TestApp;
let fake: StripeFake;
let close = async () => {};

beforeAll(async () => {
  ({ t, fake, close } = await startBillingApp());
});
afterAll(() => close());

/** A signed-in person presses Buy on the Starter pack. */
async function tryToBuy() {
  const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
  const res = await browser.post('/credits/checkout', { pack_id: (await packNamed(t.ctx.db, 'Starter')).id });
  const payments = await t.ctx.db.selectFrom('payments').selectAll().where('user_id', '=', user.id).execute();
  return { res, payments, browser };
}

describe('when Stripe cannot take the payment', () => {
  it('records a failed payment when Stripe answers 500', async () => {
    fake.fail({ status: 500 });
    try {
      const { res, payments, browser } = await tryToBuy();
      expect(res.headers.location).toBe('/credits');
      expect(payments).toEqual([expect.objectContaining({ status: 'failed', error_message: expect.stringContaining('500') })]);
      // The client retried once, with the same idempotency key: the payment row's id.
      const attempts = fake.requests.filter((r) => r.method === 'POST' && r.idempotencyKey === payments[0]!.id);
      expect(attempts.length).toBe(2);
      expect((await browser.get('/credits')).body).toContain('not reachable right now');
    } finally {
      fake.fail(null);
    }
  });

  it('records a failed payment when Stripe refuses (402)', async () => {
    fake.fail({ status: 402, message: 'Your account cannot accept payments.', times: 1 });
    const { res, payments, browser } = await tryToBuy();
    expect(res.headers.location).toBe('/credits');
    expect(payments).toEqual([expect.objectContaining({ status: 'failed', error_message: expect.stringContaining('cannot accept payments') })]);
    expect((await browser.get('/credits')).body).toContain('could not start this purchase');
  });

  it('keeps the person on the credits page with a message when Stripe is unreachable', async () => {
    await fake.close(); // nothing listens on its port any more: connection refused
    const { res, payments, browser } = await tryToBuy();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/credits');
    expect(payments).toEqual([expect.objectContaining({ status: 'failed', stripe_session_id: null, error_message: expect.any(String) })]);
    const page = await browser.get('/credits');
    expect(page.body).toContain('The payment service is not reachable right now');
    expect(page.body).toContain('data-payment-status="failed"');
    await expectLedgerBalanced(t.ctx.db);
  });
});
