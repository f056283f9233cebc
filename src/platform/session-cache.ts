import type { User } from './db-types.js';
import type { ChangeFeed } from './change-feed.js';

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
 * no query to learn who is asking (docs/decisions/0029-one-change-feed.md). Every process drops a person's entries
 * when the database's change feed reports any change to their rows (a session written or ended,
 * the account disabled or deleted, the balance or a clip changed). While the feed is not
 * listening, nothing is served from the cache.
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

  /** Called with the feed's state: while it is down, entries could miss an invalidation. */
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

/** Another per-person cache kept right by the same feed (src/platform/person-reads.ts). */
export interface PersonCache {
  forgetUser(userId: string): void;
  setListening(on: boolean): void;
}

/**
 * Keeps per-person caches right: every committed change to a person's rows, from any process or
 * psql (the database's change feed), drops everything kept of theirs; while the feed is not
 * listening nothing is served from them, and whatever they held is dropped.
 */
export function followChanges(feed: ChangeFeed, caches: PersonCache[]): () => void {
  for (const c of caches) c.setListening(feed.listening);
  return feed.subscribe({
    change: (change) => {
      for (const c of caches) c.forgetUser(change.userId);
    },
    listening: (on) => {
      for (const c of caches) c.setListening(on);
    },
  });
}
