import type { Redis } from 'ioredis';
import { onCommit, txOwner, type Conn, type DB, type Tx } from './db.js';

/**
 * Live updates: what changed for a person, published on Redis pub/sub (channel per person) by
 * whichever process recorded it (a worker, a webhook, a request), and pushed by every web process
 * to that person's open pages (src/live/). Events name what changed, never its content: the web
 * process reads the row itself, through the person, before it shows anything.
 */
export type LiveEvent =
  | { t: 'clip'; clip: string; project: string }
  | { t: 'balance' }
  | { t: 'export'; project: string }
  | { t: 'analysis'; project: string }
  | { t: 'payment' }
  /** The person's data download (/account) moved on. */
  | { t: 'download' }
  /** A session ended (sign-out) or, without sid, every session of the person (account disabled). */
  | { t: 'end'; sid?: string };

export function liveChannel(prefix: string, userId: string): string {
  return `${prefix}:live:${userId}`;
}

interface Publisher {
  redis: Redis;
  prefix: string;
}

/** The Redis client each database handle publishes through (set up with the context). */
const publishers = new WeakMap<DB, Publisher>();

export function registerLivePublisher(db: DB, redis: Redis, prefix: string): void {
  publishers.set(db, { redis, prefix });
}

/**
 * Tells the person's open pages that something changed. Inside a transaction it is sent once the
 * transaction commits (never for a rollback); outside, at once. Never throws: a page that misses
 * it catches up when its stream reconnects, or by its fallback poll.
 */
export function publishLive(conn: Conn, userId: string, event: LiveEvent): void {
  if (conn.isTransaction) {
    const db = txOwner(conn as Tx);
    if (db) onCommit(conn as Tx, () => send(db, userId, event));
    return;
  }
  send(conn as DB, userId, event);
}

function send(db: DB, userId: string, event: LiveEvent): void {
  const p = publishers.get(db);
  if (!p) return;
  p.redis.publish(liveChannel(p.prefix, userId), JSON.stringify(event)).catch(() => {});
}
