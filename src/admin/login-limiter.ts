import type { Redis } from 'ioredis';

export const MAX_FAILURES = 5;
export const WINDOW_S = 15 * 60;

/**
 * Limits admin sign-in attempts per IP. Each attempt is counted *before* the password is checked,
 * so parallel guesses cannot slip past the limit; a success clears the count, so in effect only
 * failures add up. The window (15 minutes) starts at the first attempt. The count lives in Redis,
 * shared by every web process; while Redis is away a per-process count stands in.
 */
export class LoginLimiter {
  private local = new Map<string, { count: number; resetAt: number }>();

  constructor(private redis: Redis, private prefix: string) {}

  private key(ip: string): string {
    return `${this.prefix}:admin-login-attempts:${ip}`;
  }

  /** Counts an attempt. Returns 0 when it may go ahead, else the seconds to wait. */
  async attempt(ip: string): Promise<number> {
    let count: number;
    let ttl: number;
    try {
      // SET NX starts the window only once; INCR keeps its expiry. One round trip.
      const res = await this.redis.multi().set(this.key(ip), 0, 'EX', WINDOW_S, 'NX').incr(this.key(ip)).ttl(this.key(ip)).exec();
      if (!res || res.some(([err]) => err)) throw new Error('redis multi failed');
      count = Number(res[1]![1]);
      ttl = Number(res[2]![1]);
    } catch {
      const now = Date.now();
      const entry = this.local.get(ip);
      const current = entry && entry.resetAt > now ? entry : { count: 0, resetAt: now + WINDOW_S * 1000 };
      current.count += 1;
      this.local.set(ip, current);
      count = current.count;
      ttl = Math.ceil((current.resetAt - now) / 1000);
    }
    return count > MAX_FAILURES ? Math.max(ttl, 1) : 0;
  }

  async succeeded(ip: string): Promise<void> {
    this.local.delete(ip);
    await this.redis.del(this.key(ip)).catch(() => {});
  }
}
