import { sql, type ExpressionBuilder } from 'kysely';
import type { Conn } from '../../platform/db.js';
import type { Database } from '../../platform/db-types.js';

const like = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

function searchWhere(q: string) {
  return (eb: ExpressionBuilder<Database, 'users'>) => (q ? eb.or([eb('email', 'ilike', like(q)), eb('name', 'ilike', like(q))]) : eb.lit(true));
}

/** Users whose email or name contains `q` (any case), newest first. */
export async function searchUsers(db: Conn, q: string, limit: number, offset: number) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'credit_balance', 'disabled_at', 'created_at'])
    .where(searchWhere(q))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countUsers(db: Conn, q: string): Promise<number> {
  const row = await db.selectFrom('users').select(sql<number>`count(*)::int`.as('n')).where(searchWhere(q)).executeTakeFirstOrThrow();
  return row.n;
}

export async function findUser(db: Conn, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserForUpdate(db: Conn, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findUserEmail(db: Conn, id: string) {
  const row = await db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirst();
  return row?.email ?? null;
}

export async function listPaymentsForUser(db: Conn, userId: string, limit: number) {
  return db
    .selectFrom('payments as p')
    .leftJoin('credit_packs as k', 'k.id', 'p.credit_pack_id')
    .select(['p.id', 'p.amount_cents', 'p.currency', 'p.credits_purchased', 'p.status', 'p.stripe_session_id', 'p.error_message', 'p.created_at', 'k.name as pack_name'])
    .where('p.user_id', '=', userId)
    .orderBy('p.created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function listProjectsForUser(db: Conn, userId: string, limit: number) {
  return db
    .selectFrom('projects as p')
    .select(['p.id', 'p.title', 'p.status', 'p.share_token', 'p.created_at', 'p.updated_at'])
    .select([
      sql<number>`(select count(*)::int from clips c where c.project_id = p.id)`.as('clips'),
      sql<number>`(select count(*)::int from clips c where c.project_id = p.id and c.status = 'ready')`.as('ready'),
      sql<number>`(select count(*)::int from clips c where c.project_id = p.id and c.status = 'error')`.as('errors'),
    ])
    .where('p.user_id', '=', userId)
    .orderBy('p.updated_at', 'desc')
    .limit(limit)
    .execute();
}
