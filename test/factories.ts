import { expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { newReferralCode } from '../src/auth/service.js';
import { findLedgerMismatches } from '../src/credits/queries.js';
import { grantCredits } from '../src/credits/service.js';
import { withTx, type DB } from '../src/platform/db.js';
import type { User } from '../src/platform/db-types.js';

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(seq++).toString(36)}${randomBytes(2).toString('hex')}`;

/** A user keyed like a dev sign-in (`dev:<email>`), so TestBrowser.signInDev signs in as them. */
export async function createUser(db: DB, opts: { email?: string; name?: string; credits?: number; referredBy?: string } = {}): Promise<User> {
  const email = opts.email ?? `user-${unique()}@example.com`;
  const user = await db
    .insertInto('users')
    .values({ google_sub: `dev:${email}`, email, name: opts.name ?? 'Test User', referral_code: newReferralCode(), referred_by: opts.referredBy ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (opts.credits) {
    await withTx(db, (tx) => grantCredits(tx, user.id, opts.credits!, 'admin', null, 'test grant'));
  }
  return (await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow()) as User;
}

export async function createProject(db: DB, userId: string, opts: { title?: string; ratio?: string } = {}) {
  return db
    .insertInto('projects')
    .values({ user_id: userId, title: opts.title ?? 'My project', ratio: opts.ratio ?? '1280:720' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Every balance equals the sum of its ledger rows. */
export async function expectLedgerBalanced(db: DB): Promise<void> {
  expect(await findLedgerMismatches(db)).toEqual([]);
}
