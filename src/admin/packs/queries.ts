import { sql } from 'kysely';
import type { Conn } from '../../platform/db.js';

export interface PackValues {
  name: string;
  credits: number;
  price_cents: number;
  currency: string;
}

/** Every pack, in the order /credits shows them, with how many payments reference each. */
export async function listPacksWithUse(db: Conn) {
  return db
    .selectFrom('credit_packs as p')
    .selectAll('p')
    .select((eb) => eb.selectFrom('payments').whereRef('payments.credit_pack_id', '=', 'p.id').select(sql<number>`count(*)::int`.as('n')).as('payments'))
    .orderBy('p.sort_order')
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
}

export async function findPack(db: Conn, id: string) {
  return db.selectFrom('credit_packs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the pack, so a concurrent checkout cannot reference it between the check and the delete. */
export async function findPackForUpdate(db: Conn, id: string) {
  return db.selectFrom('credit_packs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function countPaymentsForPack(db: Conn, id: string): Promise<number> {
  const row = await db.selectFrom('payments').select(sql<number>`count(*)::int`.as('n')).where('credit_pack_id', '=', id).executeTakeFirstOrThrow();
  return row.n;
}

export async function insertPack(db: Conn, v: PackValues) {
  return db
    .insertInto('credit_packs')
    .values((eb) => ({ ...v, sort_order: eb.selectFrom('credit_packs').select(sql<number>`coalesce(max(sort_order), 0) + 1`.as('s')) }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updatePack(db: Conn, id: string, v: Partial<PackValues> & { active?: boolean; sort_order?: number }) {
  return db.updateTable('credit_packs').set({ ...v, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deletePack(db: Conn, id: string): Promise<void> {
  await db.deleteFrom('credit_packs').where('id', '=', id).execute();
}

/** Ids in display order, locked: reordering renumbers them all (ties in sort_order become a clear order). */
export async function packIdsInOrderForUpdate(db: Conn): Promise<string[]> {
  const rows = await db.selectFrom('credit_packs').select('id').orderBy('sort_order').orderBy('created_at').orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}

export async function setPackOrder(db: Conn, id: string, sortOrder: number): Promise<void> {
  await db.updateTable('credit_packs').set({ sort_order: sortOrder }).where('id', '=', id).execute();
}
