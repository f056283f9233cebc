import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { LedgerType } from '../platform/db-types.js';

export async function insertLedgerRowOnce(
  db: Conn,
  row: { userId: string; amount: number; type: LedgerType; referenceId: string | null; note?: string | null },
): Promise<boolean> {
  const inserted = await db
    .insertInto('credit_transactions')
    .values({ user_id: row.userId, amount: row.amount, type: row.type, reference_id: row.referenceId, note: row.note ?? null })
    .onConflict((oc) => oc.columns(['type', 'reference_id']).where('reference_id', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return Boolean(inserted);
}

export async function addToBalance(db: Conn, userId: string, amount: number): Promise<number> {
  const row = await db
    .updateTable('users')
    .set({ credit_balance: sql`credit_balance + ${amount}` })
    .where('id', '=', userId)
    .returning('credit_balance')
    .executeTakeFirstOrThrow();
  return row.credit_balance;
}

/** One statement that takes `amount` only when the balance covers it; null when it does not. */
export async function takeFromBalance(db: Conn, userId: string, amount: number): Promise<number | null> {
  const row = await db
    .updateTable('users')
    .set({ credit_balance: sql`credit_balance - ${amount}` })
    .where('id', '=', userId)
    .where('credit_balance', '>=', amount)
    .returning('credit_balance')
    .executeTakeFirst();
  return row ? row.credit_balance : null;
}

export async function ledgerExists(db: Conn, type: LedgerType, referenceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('credit_transactions')
    .select('id')
    .where('type', '=', type)
    .where('reference_id', '=', referenceId)
    .executeTakeFirst();
  return Boolean(row);
}

/** The sum of a user's ledger rows of a type whose reference starts with `prefix`. */
export async function sumLedgerByPrefix(db: Conn, userId: string, type: LedgerType, prefix: string): Promise<number> {
  const row = await db
    .selectFrom('credit_transactions')
    .select(sql<number>`coalesce(sum(amount), 0)::int`.as('total'))
    .where('user_id', '=', userId)
    .where('type', '=', type)
    .where(sql<boolean>`starts_with(reference_id, ${prefix})`)
    .executeTakeFirstOrThrow();
  return row.total;
}

export async function getBalance(db: Conn, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('credit_balance').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.credit_balance;
}

/** A page of the person's ledger, newest first, each row with the balance right after it. */
export async function listLedgerForUser(db: Conn, userId: string, limit: number, offset: number) {
  return db
    .selectFrom('credit_transactions')
    .selectAll()
    .select(sql<number>`(sum(amount) over (order by created_at, id rows unbounded preceding))::int`.as('balance_after'))
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countLedgerForUser(db: Conn, userId: string): Promise<number> {
  const row = await db
    .selectFrom('credit_transactions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Users whose balance differs from the sum of their ledger (should always be empty). */
export async function findLedgerMismatches(db: Conn) {
  return db
    .selectFrom('users as u')
    .leftJoin('credit_transactions as t', 't.user_id', 'u.id')
    .select(['u.id', 'u.credit_balance', sql<number>`coalesce(sum(t.amount), 0)::int`.as('ledger_sum')])
    .groupBy(['u.id', 'u.credit_balance'])
    .having(sql`coalesce(sum(t.amount), 0)`, '<>', sql`u.credit_balance`)
    .execute();
}

export async function getBalanceForUpdate(db: Conn, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('credit_balance').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
  return row.credit_balance;
}
