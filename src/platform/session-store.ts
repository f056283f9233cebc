import type { SessionStore } from '@fastify/session';
import type { Conn, DB } from './db.js';
import type { User } from './db-types.js';
import type { PeriodicTask } from './jobs.js';
import type { SessionCache } from './session-cache.js';

type Callback = (err?: unknown, result?: any) => void;

/**
 * The user row read together with the session (one query, a join), for passport's deserializer
 * of the same request when there is no cache to hand it over (tests, or the feed down). Every
 * request's get() runs before its deserializer and overwrites the entry. With a cache, the
 * deserializer takes the user from the cache instead (`userOf`): never from this map.
 */
const joinedUsers = new Map<string, User | null>();
const JOINED_MAX = 10_000;

/** The user loaded with this session by a store without a cache, or undefined when there is none (fall back to a query). */
export function takeJoinedUser(sid: string | undefined): User | null | undefined {
  if (!sid || !joinedUsers.has(sid)) return undefined;
  const user = joinedUsers.get(sid)!;
  joinedUsers.delete(sid);
  return user;
}

export interface SessionStoreOptions {
  /** Signed-in sessions with their users, kept for a few seconds (platform/session-cache.ts). */
  cache?: SessionCache;
}

/**
 * Server-side sessions in Postgres, so signing out ends a session everywhere at once. With a
 * cache, a signed-in session and its user are read once and then served from memory until an
 * invalidation (or SESSION_CACHE_TTL_MS) drops them.
 */
export class PgSessionStore implements SessionStore {
  constructor(
    private db: DB,
    private opts: SessionStoreOptions = {},
  ) {}

  set(sid: string, session: any, callback: Callback): void {
    this.opts.cache?.forgetSession(sid);
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + 86_400_000);
    const userId = typeof session.passport === 'string' ? session.passport : null;
    this.db
      .insertInto('sessions')
      .values({ sid, user_id: userId, data: JSON.stringify(session), expires_at: expires })
      .onConflict((oc) =>
        oc.column('sid').doUpdateSet({ user_id: userId, data: JSON.stringify(session), expires_at: expires }),
      )
      .execute()
      .then(() => {
        this.opts.cache?.forgetSession(sid);
        callback();
      }, callback);
  }

  /**
   * The signed-in user of this session for passport's deserializer, without a query: a copy of
   * the one kept with the session (a route may change its user: billing sets the new balance on
   * it). What the cache holds when the deserializer asks is right as of that moment (after the
   * request's feed barrier): an entry is dropped on any change to the person, and one whose read
   * began before an invalidation is never kept. Concurrent requests of one session each get
   * their own copy (a hand-over consumed by the first left the others to query). Without a cache,
   * the row read by this request's get().
   */
  userOf(sid: string | undefined, userId: string): User | null | undefined {
    if (!sid) return undefined;
    const cache = this.opts.cache;
    if (cache?.enabled) {
      const user = cache.get(sid)?.user;
      return user && user.id === userId ? { ...user } : undefined;
    }
    return takeJoinedUser(sid);
  }

  get(sid: string, callback: Callback): void {
    const cache = this.opts.cache;
    const hit = cache?.get(sid);
    if (hit) {
      callback(null, JSON.parse(hit.data));
      return;
    }
    const token = cache?.begin() ?? 0;
    this.db
      .selectFrom('sessions')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.data as session_data', 'sessions.user_id as session_user_id', 'sessions.expires_at as session_expires_at'])
      .selectAll('users')
      .where('sessions.sid', '=', sid)
      .where('sessions.expires_at', '>', new Date())
      .executeTakeFirst()
      .then((row) => {
        if (row?.session_user_id) {
          const { session_data: _d, session_user_id: _u, session_expires_at: expires, ...user } = row;
          if (!cache?.enabled) {
            if (joinedUsers.size >= JOINED_MAX) joinedUsers.clear(); // entries whose request never deserialized
            joinedUsers.set(sid, user.id ? (user as User) : null);
          }
          if (cache && user.id) {
            const expiresAt = new Date(expires).getTime();
            cache.put(token, sid, row.session_user_id, { data: JSON.stringify(row.session_data), user: { ...(user as User) }, expiresAt, readAt: Date.now() });
          }
        }
        callback(null, row ? row.session_data : null);
      }, callback);
  }

  destroy(sid: string, callback: Callback): void {
    this.opts.cache?.forgetSession(sid);
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => {
        // The change feed tells every web process (they forget it, its live streams end).
        this.opts.cache?.forgetSession(sid);
        callback();
      }, callback);
  }
}

/**
 * Ends a person's sessions: all of them, only one (`only`), or all but one (`except`: this
 * device). Once committed, the change feed makes every web process forget them and end their live
 * streams. Returns how many ended.
 */
export async function destroyUserSessions(conn: Conn, userId: string, which: { only?: string; except?: string } = {}): Promise<number> {
  let del = conn.deleteFrom('sessions').where('user_id', '=', userId);
  if (which.only !== undefined) del = del.where('sid', '=', which.only);
  if (which.except !== undefined) del = del.where('sid', '<>', which.except);
  const res = await del.executeTakeFirst();
  return Number(res.numDeletedRows);
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
