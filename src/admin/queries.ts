import type { Conn } from '../platform/db.js';

// The admin area's own tables: its sessions and its audit log (written here, read by audit-log/).

export interface AuditEntry {
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function insertAudit(db: Conn, actor: string, e: AuditEntry): Promise<void> {
  await db
    .insertInto('admin_audit')
    .values({ actor, action: e.action, target: e.target ?? null, before: json(e.before), after: json(e.after), ip: e.ip ?? null })
    .execute();
}

export interface NewAdminSession {
  id: string;
  passwordTag: string;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function insertAdminSession(db: Conn, s: NewAdminSession): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({ id: s.id, password_tag: s.passwordTag, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent })
    .execute();
}

/** The session when it is still open, unexpired at `now`, and was started under the current password. */
export async function findLiveAdminSession(db: Conn, id: string, passwordTag: string, now: Date) {
  return db
    .selectFrom('admin_sessions')
    .select(['id', 'expires_at'])
    .where('id', '=', id)
    .where('password_tag', '=', passwordTag)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Ends an open session; returns whether one was open (so sign-out is audited once). */
export async function endAdminSessionRow(db: Conn, id: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('admin_sessions')
    .set({ ended_at: now })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Deletes expired sessions a batch at a time; returns how many went. */
export async function purgeExpiredAdminSessions(db: Conn, now: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await db
      .deleteFrom('admin_sessions')
      .where('id', 'in', (eb) => eb.selectFrom('admin_sessions').select('id').where('expires_at', '<=', now).limit(batch))
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    total += n;
    if (n < batch) return total;
  }
}
