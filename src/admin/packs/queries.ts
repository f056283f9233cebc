import { sql } from 'kysely';
import type { Conn } from '../../platform/db.js';

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
