import type { Redis } from 'ioredis';
import { liveChannel, type LiveEvent } from '../platform/live.js';
import type { Logger } from '../platform/logger.js';
import type { LiveStream } from './stream.js';

/** A comment line this often keeps proxies from closing an idle stream and shows a dead one. */
export const HEARTBEAT_MS = 15_000;
/** Open pages per person, over all web processes; one more is refused (that page polls instead). */
export const MAX_STREAMS_PER_PERSON = 10;

export interface HubHandlers {
  /** Shows an event on the person's streams in this process (they already belong to that person). */
  deliver(streams: LiveStream[], event: LiveEvent): Promise<void>;
  /** Which of these session ids still exist: streams of the others end. */
  liveSessions(sids: string[]): Promise<Set<string>>;
}

/**
 * The streams open on this web process, by person. It subscribes to a person's Redis channel while
 * at least one of their pages is open here, and counts every person's open streams in Redis (a
 * sorted set scored by last heartbeat, so a process that died stops counting after a while).
 */
export class LiveHub {
  private byUser = new Map<string, Set<LiveStream>>();
  private timer: NodeJS.Timeout;
  private readonly channelPrefix: string;

  constructor(
    private redis: Redis,
    private sub: Redis,
    private prefix: string,
    private handlers: HubHandlers,
    private log: Logger,
  ) {
    this.channelPrefix = liveChannel(prefix, '');
    sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
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
    const key = this.slotsKey(userId);
    const now = Date.now();
    const [, [, count]] = (await this.redis.multi().zremrangebyscore(key, 0, now - 3 * HEARTBEAT_MS).zcard(key).exec()) as [unknown, [unknown, number]];
    if (count >= MAX_STREAMS_PER_PERSON) return false;
    await this.redis.multi().zadd(key, now, streamId).pexpire(key, 4 * HEARTBEAT_MS).exec();
    return true;
  }

  /** Starts delivering the person's events to the stream (subscribed before this resolves). */
  async attach(stream: LiveStream): Promise<void> {
    let set = this.byUser.get(stream.userId);
    if (!set) {
      set = new Set();
      this.byUser.set(stream.userId, set);
      set.add(stream);
      await this.sub.subscribe(liveChannel(this.prefix, stream.userId));
    } else {
      set.add(stream);
    }
  }

  detach(stream: LiveStream): void {
    const set = this.byUser.get(stream.userId);
    if (set?.delete(stream) && set.size === 0) {
      this.byUser.delete(stream.userId);
      this.sub.unsubscribe(liveChannel(this.prefix, stream.userId)).catch(() => {});
    }
    this.redis.zrem(this.slotsKey(stream.userId), stream.id).catch(() => {});
  }

  private onMessage(channel: string, message: string): void {
    if (!channel.startsWith(this.channelPrefix)) return;
    const streams = [...(this.byUser.get(channel.slice(this.channelPrefix.length)) ?? [])];
    if (streams.length === 0) return;
    let event: LiveEvent;
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    if (event.t === 'end') {
      for (const s of streams) if (!event.sid || s.sid === event.sid) s.end();
      return;
    }
    this.handlers.deliver(streams, event).catch((err) => this.log.warn({ err, event }, 'live event not delivered'));
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
    this.sub.disconnect();
  }
}
