/** Kept this long at most, whatever happens: a change nobody announces shows within it. */
export const PERSON_READS_TTL_MS = 10_000;
const MAX_PEOPLE = 5_000;

/**
 * What a person's pages read (their project list, a project, its clips, a clip), kept in this web
 * process for a few seconds so a page or a fallback poll that asks again makes no query
 * (docs/decisions/0029-one-change-feed.md). Kept right like the session cache, by the database's change feed: any
 * committed change to the person's rows drops everything of theirs, on every web process. While
 * the feed is not listening, nothing is served from here.
 *
 * Values are shared between requests: they are frozen, and callers must treat them as read-only.
 */
export class PersonReads {
  private byUser = new Map<string, Map<string, { value: unknown; at: number }>>();
  /** Bumped by every invalidation: a read that started before one is not kept (it may be older). */
  private epoch = 0;
  private listening = false;
  private sweptAt = Date.now();
  /** Reads under way, by person and key, with the epoch they started in. */
  private loading = new Map<string, { epoch: number; value: Promise<unknown> }>();

  constructor(private ttlMs = PERSON_READS_TTL_MS) {}

  get enabled(): boolean {
    return this.listening;
  }

  setListening(on: boolean): void {
    this.listening = on;
    this.clear();
  }

  /** The value kept under `key` for the person, or `load()`'s answer (kept when nothing changed meanwhile). */
  async remember<T>(userId: string, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.listening) return load();
    const mine = this.byUser.get(userId);
    const hit = mine?.get(key);
    if (hit && Date.now() - hit.at <= this.ttlMs) return hit.value as T;
    // One read at a time per person and key: when an entry expires or is dropped, the fifty
    // requests of a busy page that arrive meanwhile share the read instead of making fifty. Only a
    // read started since the last invalidation is shared (an older one may predate the change).
    const slot = `${userId}\n${key}`;
    const loading = this.loading.get(slot);
    if (loading && loading.epoch === this.epoch) return loading.value as Promise<T>;
    const token = this.epoch;
    const pending = load();
    this.loading.set(slot, { epoch: token, value: pending });
    let value: T;
    try {
      value = await pending;
    } finally {
      if (this.loading.get(slot)?.value === pending) this.loading.delete(slot);
    }
    if (!this.listening || token !== this.epoch) return value;
    this.sweep();
    if (!mine && this.byUser.size >= MAX_PEOPLE) this.clear();
    let entries = this.byUser.get(userId);
    if (!entries) this.byUser.set(userId, (entries = new Map()));
    entries.set(key, { value: freezeRows(value), at: Date.now() });
    return value;
  }

  /** `remember` for a page or a poll (GET); a change (any other method) always reads the database. */
  forRequest<T>(method: string, userId: string, key: string, load: () => Promise<T>): Promise<T> {
    return method === 'GET' ? this.remember(userId, key, load) : load();
  }

  /** At most once a TTL, drops what has expired: a person seen once is not kept until the cap. */
  private sweep(now = Date.now()): void {
    if (now - this.sweptAt < this.ttlMs) return;
    this.sweptAt = now;
    for (const [userId, entries] of this.byUser) {
      for (const [key, entry] of entries) if (now - entry.at > this.ttlMs) entries.delete(key);
      if (entries.size === 0) this.byUser.delete(userId);
    }
  }

  /** How many people have something kept (for tests and metrics). */
  get size(): number {
    return this.byUser.size;
  }

  forgetUser(userId: string): void {
    this.epoch++;
    this.byUser.delete(userId);
  }

  clear(): void {
    this.epoch++;
    this.byUser.clear();
  }
}

/** Rows (or a list of rows) made read-only, so a request that changes one fails loudly instead of leaking. */
function freezeRows<T>(value: T): T {
  if (Array.isArray(value)) for (const row of value) Object.freeze(row);
  return Object.freeze(value);
}

/** What a service needs of the cache; `freshReads` when a caller must see the database itself. */
export type Reads = Pick<PersonReads, 'remember'>;
export const freshReads: Reads = { remember: (_userId, _key, load) => load() };
