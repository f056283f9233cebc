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
  /**
   * The person changed something through a request (a form, a button): pages need nothing (they
   * got the answer), but every web process drops what it kept of theirs (person-reads.ts).
   */
  | { t: 'saved' }
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

/** A publish that has not been acknowledged by then is given up (Redis unreachable, not refusing). */
const PUBLISH_WAIT_MS = 1000;

/**
 * Tells the person's open pages (and every web process's session cache) that something changed.
 * Inside a transaction it is sent once the transaction commits (never for a rollback), and withTx
 * resolves after Redis has taken it; outside, at once, and the promise resolves when Redis has
 * taken it and written it to every subscriber (a PING after the publish), so whoever awaits this
 * has the change known everywhere before they answer anyone. Never rejects: a page
 * that misses an event catches up when its stream reconnects, or by its fallback poll.
 */
export function publishLive(conn: Conn, userId: string, event: LiveEvent): Promise<void> {
  if (conn.isTransaction) {
    const db = txOwner(conn as Tx);
    if (db) onCommit(conn as Tx, () => send(db, userId, event));
    return Promise.resolve();
  }
  return send(conn as DB, userId, event);
}

/** In-process listeners, told of each event this process publishes before it is sent. */
const localListeners = new WeakMap<DB, Set<(userId: string, event: LiveEvent) => void>>();

/** Hears every event this process publishes through `db`, synchronously; returns the unsubscribe. */
export function onLiveEvent(db: DB, listener: (userId: string, event: LiveEvent) => void): () => void {
  let set = localListeners.get(db);
  if (!set) localListeners.set(db, (set = new Set()));
  set.add(listener);
  return () => void set.delete(listener);
}

function send(db: DB, userId: string, event: LiveEvent): Promise<void> {
  for (const listener of localListeners.get(db) ?? []) listener(userId, event);
  const p = publishers.get(db);
  if (!p) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    // Redis answers the publisher in the same pass as it writes the message to subscribers, and may
    // answer it first: a PING sent after the answer is served only once that pass has finished, so
    // when it returns the message is in every subscriber's socket (docs/decisions/0025-*).
    p.redis
      .publish(liveChannel(p.prefix, userId), JSON.stringify(event))
      .then(() => p.redis.ping())
      .then(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, PUBLISH_WAIT_MS))),
  ])
    .catch(() => {})
    .finally(() => clearTimeout(timer));
}
