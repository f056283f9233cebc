import { Redis } from 'ioredis';

export interface BasicRedisOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: object;
}

/** Options BullMQ accepts, parsed from REDIS_URL. */
export function redisOptions(url: string): BasicRedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * A client for the web process: commands fail fast while Redis is away (no offline queue),
 * so a page never hangs on Redis; it reconnects by itself.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis({
    ...redisOptions(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', () => {}); // reconnection is automatic; health reports the outage
  return redis;
}

/**
 * Waits (at most `ms`) for the client's first connection. Without an offline queue a command sent
 * before it fails at once, so a process that started serving first would, for its first moments,
 * fall back to per-process stand-ins (sign-in limits counted apart from Redis's). A Redis that is
 * down at start does not stop the start: the wait just ends.
 */
export async function untilReady(redis: Redis, ms = 3000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}
