import type { SessionStore } from '@fastify/session';
import type { DB } from './db.js';
import type { User } from './db-types.js';
import type { PeriodicTask } from './jobs.js';
import { publishLive } from './live.js';

type Callback = (err?: unknown, result?: any) => void;

/**
 * The user row read together with the session (one query, a join), handed to passport's
 * deserializer of the same request by session id. Every request's get() runs before its
 * deserializer and overwrites the entry, so what a deserializer takes was read for this request
 * (or a concurrent later one): never older than the request itself.
 */
const joinedUsers = new Map<string, User | null>();
const JOINED_MAX = 10_000;

/** The user loaded with this session by the store, or undefined when it was not (fall back to a query). */
export function takeJoinedUser(sid: string | undefined): User | null | undefined {
  if (!sid || !joinedUsers.has(sid)) return undefined;
  const user = joinedUsers.get(sid)!;
  joinedUsers.delete(sid);
  return user;
}

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
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.data as session_data', 'sessions.user_id as session_user_id'])
      .selectAll('users')
      .where('sessions.sid', '=', sid)
      .where('sessions.expires_at', '>', new Date())
      .executeTakeFirst()
      .then((row) => {
        if (row?.session_user_id) {
          const { session_data: _d, session_user_id: _u, ...user } = row;
          if (joinedUsers.size >= JOINED_MAX) joinedUsers.clear(); // entries whose request never deserialized
          joinedUsers.set(sid, user.id ? (user as User) : null);
        }
        callback(null, row ? row.session_data : null);
      }, callback);
  }

  destroy(sid: string, callback: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .returning('user_id')
      .execute()
      .then((rows) => {
        // Live streams opened with this session end at once, on every web process.
        for (const r of rows) if (r.user_id) publishLive(this.db, r.user_id, { t: 'end', sid });
        callback();
      }, callback);
  }
}

export async function destroyUserSessions(db: DB, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  publishLive(db, userId, { t: 'end' });
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
