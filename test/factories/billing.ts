import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { DB } from '../../src/platform/db.js';
import { TestBrowser } from '../setup/browser.js';
import { createUser } from '../factories.js';
import type { StripeFake } from '../fakes/stripe.js';

export async function packNamed(db: DB, name: string) {
  return db.selectFrom('credit_packs').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
}

export async function createPack(db: DB, p: { name: string; credits: number; priceCents: number; currency?: string; active?: boolean; sortOrder?: number }) {
  return db
    .insertInto('credit_packs')
    .values({ name: p.name, credits: p.credits, price_cents: p.priceCents, currency: p.currency ?? 'usd', active: p.active ?? true, sort_order: p.sortOrder ?? 10 })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function paymentForSession(db: DB, sessionId: string) {
  return db.selectFrom('payments').selectAll().where('stripe_session_id', '=', sessionId).executeTakeFirstOrThrow();
}

export async function balanceOf(db: DB, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('credit_balance').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.credit_balance;
}

export async function ledgerOf(db: DB, userId: string) {
  return db.selectFrom('credit_transactions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

/** Starts checkout for a pack through the page's form; returns the Stripe session id it opened. */
export async function startCheckout(browser: TestBrowser, fake: StripeFake, packId: string): Promise<string> {
  const res = await browser.post('/credits/checkout', { pack_id: packId });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
  const location = String(res.headers.location);
  expect(location.startsWith(`${fake.url}/pay/cs_test_`)).toBe(true);
  return location.slice(`${fake.url}/pay/`.length);
}

/** Delivers a signed event to the webhook, as Stripe would. */
export async function deliver(app: FastifyInstance, fake: StripeFake, type: string, object: object, sign: { secret?: string; timestamp?: number } = {}) {
  const { payload, headers } = fake.sign(fake.event(type, object), sign);
  return app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload });
}

/** A new user signed in through the dev form, with a browser that holds a CSRF token. */
export async function signedInBuyer(app: FastifyInstance, db: DB, opts: { referredBy?: string } = {}) {
  const user = await createUser(db, opts);
  const browser = new TestBrowser(app);
  await browser.signInDev(user.email);
  await browser.get('/credits'); // signInDev leaves no CSRF token (its /login refresh redirects once signed in)
  return { user, browser };
}

// Moved to test/setup/apps.ts with the other app starters; kept here for tests written against it.
export { startBillingApp } from '../setup/apps.js';
