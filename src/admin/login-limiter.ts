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

/**
 * Failed admin sign-ins across every address, so guessing from many addresses (or forged ones)
 * still runs into a wall: after GLOBAL_MAX_FAILURES within GLOBAL_WINDOW_S the whole admin sign-in
 * is locked for GLOBAL_LOCK_S, for everyone. High enough that a forgetful admin never meets it,
 * low enough that a spread-out guesser gets about 200 guesses an hour. An admin already signed in
 * does not notice: only the sign-in form consults it.
 */
export const GLOBAL_MAX_FAILURES = 50;
export const GLOBAL_WINDOW_S = 15 * 60;
export const GLOBAL_LOCK_S = 15 * 60;

/**
 * Counts every attempt before the password is checked (like LoginLimiter), and takes a success
 * back off, so only failures add up. Redis holds the count and the lock for every web process;
 * while Redis is away a per-process count stands in.
 */
const DECR_IF_EXISTS = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0";

export class GlobalLoginLimiter {
  private local = { count: 0, resetAt: 0, lockedUntil: 0 };

  constructor(private redis: Redis, private prefix: string) {}

  private get countKey(): string {
    return `${this.prefix}:admin-login-failures:all`;
  }

  private get lockKey(): string {
    return `${this.prefix}:admin-login-locked`;
  }

  /** Counts an attempt. Returns 0 when it may go ahead, else the seconds until sign-in opens again. */
  async attempt(): Promise<number> {
    try {
      const locked = await this.redis.ttl(this.lockKey);
      if (locked > 0) return locked;
      const res = await this.redis.multi().set(this.countKey, 0, 'EX', GLOBAL_WINDOW_S, 'NX').incr(this.countKey).exec();
      if (!res || res.some(([err]) => err)) throw new Error('redis multi failed');
      if (Number(res[1]![1]) <= GLOBAL_MAX_FAILURES) return 0;
      await this.redis.set(this.lockKey, 1, 'EX', GLOBAL_LOCK_S, 'NX');
      return Math.max(await this.redis.ttl(this.lockKey), 1);
    } catch {
      return this.attemptLocally(Date.now());
    }
  }

  private attemptLocally(now: number): number {
    const l = this.local;
    if (l.lockedUntil > now) return Math.ceil((l.lockedUntil - now) / 1000);
    if (l.resetAt <= now) Object.assign(l, { count: 0, resetAt: now + GLOBAL_WINDOW_S * 1000 });
    l.count += 1;
    if (l.count <= GLOBAL_MAX_FAILURES) return 0;
    l.lockedUntil = now + GLOBAL_LOCK_S * 1000;
    return GLOBAL_LOCK_S;
  }

  /** The attempt was the right password: it was no failure. */
  async succeeded(): Promise<void> {
    this.local.count = Math.max(0, this.local.count - 1);
    // Only while the window lives: a DECR of a lapsed key would leave a count that never expires.
    await this.redis.eval(DECR_IF_EXISTS, 1, this.countKey).catch(() => {});
  }
}
