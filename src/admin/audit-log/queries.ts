import { sql } from 'kysely';
import type { Conn } from '../../platform/db.js';

/** Newest first; a target that is a user comes with their email, so the log reads as people. */
export async function listAudit(db: Conn, opts: { action?: string; limit: number; offset: number }) {
  let q = db
    .selectFrom('admin_audit as a')
    .leftJoin('users as u', (j) => j.on(sql<boolean>`u.id::text = a.target`))
    .selectAll('a')
    .select('u.email as target_email');
  if (opts.action) q = q.where('a.action', '=', opts.action);
  return q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(opts.limit).offset(opts.offset).execute();
}

export async function countAudit(db: Conn, opts: { action?: string }): Promise<number> {
  let q = db.selectFrom('admin_audit').select((eb) => eb.fn.countAll<number>().as('n'));
  if (opts.action) q = q.where('action', '=', opts.action);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listAuditActions(db: Conn): Promise<string[]> {
  const rows = await db.selectFrom('admin_audit').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
