import type { Redis } from 'ioredis';
import type { User } from './db-types.js';
import { liveChannel, onLiveEvent } from './live.js';
import type { DB } from './db.js';

/** A signed-in session as read from Postgres: its stored data (JSON text) and its user row. */
export interface CachedSession {
  data: string;
  user: User | null;
  expiresAt: number;
  readAt: number;
}

/** Kept this long at most, whatever happens: a change nobody announces shows within it. */
export const SESSION_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Signed-in sessions and their users, kept in this web process for a few seconds so a page needs
 * no query to learn who is asking (docs/decisions/0023-*). Every process drops a person's entries
 * at once when any live event of theirs is published (Redis pub/sub: a session ended, the account
 * was disabled or deleted, the balance or a clip changed), and a session's entry when its data is
 * written. While the subscription is not known to be in place, nothing is served from the cache.
 */
export class SessionCache {
  private bySid = new Map<string, CachedSession & { userId: string }>();
  private byUser = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a read that started before one is not stored (it may be older). */
  private epoch = 0;
  private listening = false;

  constructor(private ttlMs = SESSION_CACHE_TTL_MS) {}

  get enabled(): boolean {
    return this.listening;
  }

  /** Called with the subscription's state: while it is down, entries could miss an invalidation. */
  setListening(on: boolean): void {
    this.listening = on;
    this.clear();
  }

  get(sid: string): CachedSession | undefined {
    if (!this.listening) return undefined;
    const hit = this.bySid.get(sid);
    if (!hit) return undefined;
    const now = Date.now();
    if (now - hit.readAt > this.ttlMs || hit.expiresAt <= now) {
      this.drop(sid);
      return undefined;
    }
    return hit;
  }

  /** Taken before reading the database; hand it back to put(). */
  begin(): number {
    return this.epoch;
  }

  put(token: number, sid: string, userId: string, entry: CachedSession): void {
    if (!this.listening || token !== this.epoch) return;
    if (this.bySid.size >= MAX_ENTRIES) this.clear();
    this.drop(sid);
    this.bySid.set(sid, { ...entry, userId });
    let sids = this.byUser.get(userId);
    if (!sids) this.byUser.set(userId, (sids = new Set()));
    sids.add(sid);
  }

  forgetSession(sid: string): void {
    this.epoch++;
    this.drop(sid);
  }

  forgetUser(userId: string): void {
    this.epoch++;
    const sids = this.byUser.get(userId);
    if (!sids) return;
    this.byUser.delete(userId);
    for (const sid of sids) this.bySid.delete(sid);
  }

  clear(): void {
    this.epoch++;
    this.bySid.clear();
    this.byUser.clear();
  }

  private drop(sid: string): void {
    const entry = this.bySid.get(sid);
    if (!entry) return;
    this.bySid.delete(sid);
    const sids = this.byUser.get(entry.userId);
    sids?.delete(sid);
    if (sids?.size === 0) this.byUser.delete(entry.userId);
  }
}

/** The channel a session's data change is announced on (message: the sid). */
export function sessionChannel(prefix: string): string {
  return `${prefix}:session-changed`;
}

/** Another per-person cache kept right by the same subscription (src/platform/person-reads.ts). */
export interface PersonCache {
  forgetUser(userId: string): void;
  setListening(on: boolean): void;
}

/**
 * Keeps `cache` (and `others`) right across processes: every person's live events (pattern
 * subscription) and session writes from any process drop entries; events published by this
 * process drop them before the publish is even sent. `sub` is a connection of its own (it enters
 * subscriber mode).
 */
export async function listenForInvalidations(cache: SessionCache, db: DB, sub: Redis, prefix: string, others: PersonCache[] = []): Promise<() => Promise<void>> {
  const livePrefix = liveChannel(prefix, '');
  const pattern = `${livePrefix}*`;
  const sessions = sessionChannel(prefix);
  const all: PersonCache[] = [cache, ...others];
  const forgetUser = (userId: string) => {
    for (const c of all) c.forgetUser(userId);
  };
  const setListening = (on: boolean) => {
    for (const c of all) c.setListening(on);
  };
  const stopLocal = onLiveEvent(db, forgetUser);
  sub.on('pmessage', (_pattern: string, channel: string) => {
    if (channel.startsWith(livePrefix)) forgetUser(channel.slice(livePrefix.length));
  });
  sub.on('message', (channel: string, message: string) => {
    if (channel === sessions) cache.forgetSession(message);
  });
  // Subscribed again after each reconnection; served from only once Redis has confirmed it.
  const subscribe = async () => {
    try {
      await sub.psubscribe(pattern);
      await sub.subscribe(sessions);
      setListening(true);
    } catch {
      setListening(false);
    }
  };
  sub.on('close', () => setListening(false));
  sub.on('ready', () => void subscribe());
  sub.on('error', () => {});
  if (sub.status === 'ready') await subscribe();
  return async () => {
    stopLocal();
    setListening(false);
    sub.disconnect();
  };
}
