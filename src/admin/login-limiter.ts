import type { Redis } from 'ioredis';

export const MAX_FAILURES = 5;
export const WINDOW_S = 15 * 60;

/**
 * Counts failed admin sign-ins per IP in Redis, so every web process shares the count (a
 * success clears it; only failures count). Each failure restarts the 15-minute window. While
 * Redis is away, a per-process count stands in.
 */
export class LoginLimiter {
  private local = new Map<string, { count: number; resetAt: number }>();

  constructor(private redis: Redis, private prefix: string) {}

  private key(ip: string): string {
    return `${this.prefix}:admin-login-failures:${ip}`;
  }

  /** Seconds to wait before another attempt is allowed; 0 when allowed now. */
  async waitSeconds(ip: string): Promise<number> {
    try {
      const [count, ttl] = await Promise.all([this.redis.get(this.key(ip)), this.redis.ttl(this.key(ip))]);
      return Number(count ?? 0) >= MAX_FAILURES ? Math.max(ttl, 1) : 0;
    } catch {
      const entry = this.localEntry(ip);
      return entry && entry.count >= MAX_FAILURES ? Math.ceil((entry.resetAt - Date.now()) / 1000) : 0;
    }
  }

  async recordFailure(ip: string): Promise<void> {
    try {
      // One round trip, so a count can never be left without its expiry.
      const res = await this.redis.multi().incr(this.key(ip)).expire(this.key(ip), WINDOW_S).exec();
      if (!res || res.some(([err]) => err)) throw new Error('redis multi failed');
    } catch {
      const entry = this.localEntry(ip) ?? { count: 0, resetAt: Date.now() + WINDOW_S * 1000 };
      entry.count += 1;
      this.local.set(ip, entry);
    }
  }

  async clear(ip: string): Promise<void> {
    this.local.delete(ip);
    await this.redis.del(this.key(ip)).catch(() => {});
  }

  private localEntry(ip: string) {
    const entry = this.local.get(ip);
    if (entry && entry.resetAt <= Date.now()) {
      this.local.delete(ip);
      return undefined;
    }
    return entry;
  }
}
