import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { packNamed, signedInBuyer } from '../factories/billing.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' });
});
afterAll(async () => {
  await t?.close();
});

async function tryToBuy() {
  const { user, browser } = await signedInBuyer(t.app, t.ctx.db);
  const res = await browser.post('/credits/checkout', { pack_id: (await packNamed(t.ctx.db, 'Starter')).id });
  const payments = await t.ctx.db.selectFrom('payments').selectAll().where('user_id', '=', user.id).execute();
  return { res, payments };
}

describe('when Stripe is not configured', () => {
  it('says buying is not available and shows no buy buttons', async () => {
    const { browser } = await signedInBuyer(t.app, t.ctx.db);
    const page = await browser.get('/credits');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Buying credits is not available here');
    expect(page.body).toContain('Creator');
    expect(page.body).not.toContain('action="/credits/checkout"');
    expect(page.body).not.toContain('name="pack_id"');
  });

  it('refuses a checkout post and an unverifiable webhook without crashing', async () => {
    const { res, payments } = await tryToBuy();
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('not available');
    expect(payments).toEqual([]);
    const hook = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(hook.statusCode).toBe(503);
  });
});
