import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';

export interface ProfileInput {
  googleSub: string;
  email: string;
  name: string;
  avatarUrl: string | null;
}

/**
 * Creates the account or refreshes its profile in one statement. `inserted` is true only for the
 * call that created the row, even when two first sign-ins race.
 */
export async function upsertUserByGoogleSub(db: Conn, p: ProfileInput, referralCode: string, referredBy: string | null) {
  return db
    .insertInto('users')
    .values({ google_sub: p.googleSub, email: p.email, name: p.name, avatar_url: p.avatarUrl, referral_code: referralCode, referred_by: referredBy })
    .onConflict((oc) =>
      oc.column('google_sub').doUpdateSet({
        email: (eb) => eb.ref('excluded.email'),
        name: (eb) => eb.ref('excluded.name'),
        avatar_url: (eb) => eb.ref('excluded.avatar_url'),
        updated_at: new Date(),
      }),
    )
    .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .executeTakeFirstOrThrow();
}

export async function findUserById(db: Conn, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserIdByReferralCode(db: Conn, code: string) {
  const row = await db.selectFrom('users').select('id').where('referral_code', '=', code).executeTakeFirst();
  return row?.id ?? null;
}
