import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiter } from '../../src/limits/rate-limiter.js';

// The counter itself, against the real Redis, and its stand-in while Redis is away.

const prefix = `test-limiter-${randomBytes(4).toString('hex')}`;
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('RateLimiter', () => {
  it('counts up to the limit, refuses with the seconds left, and a refusal uses nothing up', async () => {
    const limiter = new RateLimiter(redis, prefix);
    expect(await limiter.take('a', 'u1', 2, 3600)).toBe(0);
    expect(await limiter.take('a', 'u1', 2, 3600)).toBe(0);
    const wait = await limiter.take('a', 'u1', 2, 3600);
    expect(wait).toBeGreaterThan(3590);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(await limiter.usage('a', 'u1')).toMatchObject({ used: 2 });
    expect(await limiter.take('a', 'u2', 2, 3600)).toBe(0); // someone else
  });

  it('takes weighted actions; one bigger than the whole allowance uses the window up', async () => {
    const limiter = new RateLimiter(redis, prefix);
    expect(await limiter.take('m', 'u1', 10, 3600, 4)).toBe(0);
    expect(await limiter.take('m', 'u1', 10, 3600, 7)).toBeGreaterThan(0); // 11 > 10: refused, not counted
    expect(await limiter.take('m', 'u1', 10, 3600, 6)).toBe(0);
    expect(await limiter.take('m', 'u2', 10, 3600, 50)).toBe(0);
    expect(await limiter.usage('m', 'u2')).toMatchObject({ used: 10 });
  });

  it('the window expires an hour after its first action, and later actions do not push it back', async () => {
    const limiter = new RateLimiter(redis, prefix);
    const key = `${prefix}:limit:w:u1`;
    expect(await limiter.take('w', 'u1', 5, 3600)).toBe(0);
    await redis.expire(key, 100); // as if most of the hour had passed
    expect(await limiter.take('w', 'u1', 5, 3600)).toBe(0);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
  });

  it('while Redis is away, a per-process count still refuses', async () => {
    const away = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    away.on('error', () => {});
    const limiter = new RateLimiter(away, prefix);
    expect(await limiter.take('a', 'u1', 2, 60)).toBe(0);
    expect(await limiter.take('a', 'u1', 2, 60)).toBe(0);
    expect(await limiter.take('a', 'u1', 2, 60)).toBeGreaterThan(0);
    expect(await limiter.usage('a', 'u1')).toMatchObject({ used: 2 });
    away.disconnect();
  });
});
