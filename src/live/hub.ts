import type { Redis } from 'ioredis';
import type { Change } from '../platform/change-feed.js';
import type { Logger } from '../platform/logger.js';
import type { LiveStream } from './stream.js';

/** A comment line this often keeps proxies from closing an idle stream and shows a dead one. */
export const HEARTBEAT_MS = 15_000;
/** Open pages per person, over all web processes; one more is refused (that page polls instead). */
export const MAX_STREAMS_PER_PERSON = 10;

export interface HubHandlers {
  /** Shows a change on the person's streams in this process (they already belong to that person). */
  deliver(streams: LiveStream[], change: Change): Promise<void>;
  /** Brings a stream up to date with everything that may have changed since `since`. */
  catchUp(stream: LiveStream, since: Date): Promise<void>;
  /** Which of these session ids still exist: streams of the others end. */
  liveSessions(sids: string[]): Promise<Set<string>>;
}

/**
 * Drops slots whose heartbeat is older than ARGV[2], then takes one (ARGV[4], scored ARGV[1]) only
 * while fewer than ARGV[3] are held: one atomic step, so parallel opens cannot all see room.
 */
const RESERVE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * The streams open on this web process, by person, fed by the database's change feed (every change
 * of every person reaches every web process; those with no open page here are ignored). Counts every
 * person's open streams in Redis (a sorted set scored by last heartbeat, so a process that died stops
 * counting after a while).
 */
export class LiveHub {
  private byUser = new Map<string, Set<LiveStream>>();
  /** Each person's deliveries in order, so a slower read never shows an older state last. */
  private queues = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout;

  constructor(
    private redis: Redis,
    private prefix: string,
    private handlers: HubHandlers,
    private log: Pick<Logger, 'warn'>,
  ) {
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_MS);
    this.timer.unref();
  }

  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  private slotsKey(userId: string): string {
    return `${this.prefix}:live-streams:${userId}`;
  }

  /** Takes one of the person's stream slots; false when all are in use. */
  async reserve(userId: string, streamId: string): Promise<boolean> {
    const now = Date.now();
    const taken = await this.redis.eval(RESERVE_SCRIPT, 1, this.slotsKey(userId), now, now - 3 * HEARTBEAT_MS, MAX_STREAMS_PER_PERSON, streamId, 4 * HEARTBEAT_MS);
    return taken === 1;
  }

  /** Starts delivering the person's changes to the stream. */
  attach(stream: LiveStream): void {
    let set = this.byUser.get(stream.userId);
    if (!set) this.byUser.set(stream.userId, (set = new Set()));
    set.add(stream);
  }

  detach(stream: LiveStream): void {
    const set = this.byUser.get(stream.userId);
    if (set?.delete(stream) && set.size === 0) this.byUser.delete(stream.userId);
    this.redis.zrem(this.slotsKey(stream.userId), stream.id).catch(() => {});
  }

  /** A change from the feed: shown on the person's streams here, if any. */
  onChange(change: Change): void {
    const set = this.byUser.get(change.userId);
    if (!set) return;
    if (change.table === 'sessions' && change.op === 'D') {
      for (const s of set) if (s.sid === change.id) s.end();
      return;
    }
    this.enqueue(change.userId, () => this.handlers.deliver([...set], change), { change });
  }

  /**
   * The feed is listening again after a gap: whatever changed meanwhile was not heard, so every open
   * stream is caught up from a little before the gap began.
   */
  resync(since: Date): void {
    for (const [userId, set] of this.byUser) {
      for (const s of set) this.enqueue(userId, () => this.handlers.catchUp(s, since), { resync: s.id });
    }
  }

  private enqueue(userId: string, work: () => Promise<void>, about: object): void {
    const run = (this.queues.get(userId) ?? Promise.resolve())
      .then(work)
      .catch((err) => this.log.warn({ err, ...about }, 'live change not delivered'));
    this.queues.set(userId, run);
    void run.then(() => {
      if (this.queues.get(userId) === run) this.queues.delete(userId);
    });
  }

  /** Heartbeats, slot refresh, and the end of streams whose session has gone (expired, or missed). */
  async tick(): Promise<void> {
    const all = [...this.byUser.values()].flatMap((set) => [...set]);
    for (const s of all) s.heartbeat();
    if (all.length === 0) return;
    try {
      const now = Date.now();
      const pipe = this.redis.pipeline();
      for (const s of all) pipe.zadd(this.slotsKey(s.userId), now, s.id).pexpire(this.slotsKey(s.userId), 4 * HEARTBEAT_MS);
      await pipe.exec();
      const alive = await this.handlers.liveSessions([...new Set(all.map((s) => s.sid))]);
      for (const s of all) if (!alive.has(s.sid)) s.end();
    } catch (err) {
      this.log.warn({ err }, 'live heartbeat bookkeeping failed');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const set of this.byUser.values()) for (const s of set) s.close();
    this.byUser.clear();
  }
}
