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

/** The owner of a referral code, unless that owner is the person signing in (never yourself). */
export async function findReferrerId(db: Conn, code: string, signingInSub: string) {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('referral_code', '=', code)
    .where((eb) => eb.or([eb('google_sub', 'is', null), eb('google_sub', '<>', signingInSub)]))
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function referralCodeExists(db: Conn, code: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('referral_code', '=', code).executeTakeFirst();
  return Boolean(row);
}

export async function countReferredUsers(db: Conn, userId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('referred_by', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function sumReferralCredits(db: Conn, userId: string): Promise<number> {
  const row = await db
    .selectFrom('credit_transactions')
    .select(sql<number>`coalesce(sum(amount), 0)::int`.as('total'))
    .where('user_id', '=', userId)
    .where('type', '=', 'referral')
    .executeTakeFirstOrThrow();
  return row.total;
}

/** Deleted accounts' Google subjects, hashed (deleted-subjects.ts): a returning person gets no second sign-up credit. */
export async function rememberDeletedSubject(db: Conn, subjectHash: string): Promise<void> {
  await db.insertInto('deleted_subjects').values({ subject_hash: subjectHash }).onConflict((oc) => oc.doNothing()).execute();
}

export async function subjectWasDeleted(db: Conn, subjectHash: string): Promise<boolean> {
  return Boolean(await db.selectFrom('deleted_subjects').select('subject_hash').where('subject_hash', '=', subjectHash).executeTakeFirst());
}

export async function setUserDisabled(db: Conn, id: string, at: Date | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: at, updated_at: new Date() }).where('id', '=', id).execute();
}
