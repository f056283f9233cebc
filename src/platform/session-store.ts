import type { SessionStore } from '@fastify/session';
import type { DB } from './db.js';
import type { PeriodicTask } from './jobs.js';

type Callback = (err?: unknown, result?: any) => void;

/** Server-side sessions in Postgres, so signing out ends a session everywhere at once. */
export class PgSessionStore implements SessionStore {
  constructor(private db: DB) {}

  set(sid: string, session: any, callback: Callback): void {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + 86_400_000);
    const userId = typeof session.passport === 'string' ? session.passport : null;
    this.db
      .insertInto('sessions')
      .values({ sid, user_id: userId, data: JSON.stringify(session), expires_at: expires })
      .onConflict((oc) =>
        oc.column('sid').doUpdateSet({ user_id: userId, data: JSON.stringify(session), expires_at: expires }),
      )
      .execute()
      .then(() => callback(), callback);
  }

  get(sid: string, callback: Callback): void {
    this.db
      .selectFrom('sessions')
      .select(['data'])
      .where('sid', '=', sid)
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
      .then((row) => callback(null, row ? row.data : null), callback);
  }

  destroy(sid: string, callback: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => callback(), callback);
  }
}

export async function destroyUserSessions(db: DB, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Deletes sessions that have expired, a batch at a time so a large backlog never locks the table for long. */
export async function purgeExpiredSessions(db: DB, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await db
      .deleteFrom('sessions')
      .where('sid', 'in', (eb) => eb.selectFrom('sessions').select('sid').where('expires_at', '<=', new Date()).limit(batch))
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    total += n;
    if (n < batch) return total;
  }
}

export const sessionTasks: PeriodicTask[] = [
  {
    name: 'expired-session-purge',
    everyMs: 10 * 60_000,
    run: async (ctx) => {
      const n = await purgeExpiredSessions(ctx.db);
      if (n > 0) ctx.logger.info({ purged: n }, 'expired sessions deleted');
    },
  },
];
