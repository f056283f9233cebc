import type { Redis } from 'ioredis';

// INCRBY, and the window's expiry set when it starts; an attempt that would pass `max` is taken
// back at once, so refused attempts use nothing up. One round trip, atomic across web processes.
const TAKE = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
if n > tonumber(ARGV[3]) then redis.call('DECRBY', KEYS[1], ARGV[1]); return {0, ttl} end
return {1, ttl}
`;

const GIVE_BACK = `if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0`;

// While Redis is away, a per-process count stands in; old windows are dropped so it cannot grow
// without bound.
const LOCAL_MAX_KEYS = 10_000;

export interface Usage {
  used: number;
  /** Seconds until the window ends (0 when no window is open). */
  resetInS: number;
}

/**
 * The one rate limiter (hourly allowances, admin sign-in, per-route limits): fixed-window counters
 * in Redis, keyed `<prefix>:limit:<action>:<subject>`, so a limit holds across every process. A window opens with the
 * first action and lasts `windowS`; `take` answers 0 when the action may go ahead, else the seconds
 * until the window ends (the Retry-After).
 */
export class RateLimiter {
  private local = new Map<string, { count: number; resetAt: number }>();

  constructor(private redis: Redis, private prefix: string) {}

  private key(action: string, subject: string): string {
    return `${this.prefix}:limit:${action}:${subject}`;
  }

  async take(action: string, subject: string, max: number, windowS: number, cost = 1): Promise<number> {
    // One action bigger than the whole allowance (a long track) uses the window up instead of never passing.
    const n = Math.max(1, Math.min(Math.ceil(cost), max));
    const key = this.key(action, subject);
    try {
      const [ok, ttl] = (await this.redis.eval(TAKE, 1, key, n, windowS, max)) as [number, number];
      return ok ? 0 : Math.max(1, ttl);
    } catch {
      return this.takeLocally(key, n, max, windowS);
    }
  }

  private takeLocally(key: string, n: number, max: number, windowS: number): number {
    const now = Date.now();
    if (this.local.size >= LOCAL_MAX_KEYS) {
      for (const [k, v] of this.local) if (v.resetAt <= now) this.local.delete(k);
      if (this.local.size >= LOCAL_MAX_KEYS) this.local.clear();
    }
    const entry = this.local.get(key);
    const current = entry && entry.resetAt > now ? entry : { count: 0, resetAt: now + windowS * 1000 };
    this.local.set(key, current);
    const wait = Math.max(1, Math.ceil((current.resetAt - now) / 1000));
    if (current.count + n > max) return wait;
    current.count += n;
    return 0;
  }

  /** Forgets the subject's window (a right password clears its failed attempts). */
  async reset(action: string, subject: string): Promise<void> {
    const key = this.key(action, subject);
    this.local.delete(key);
    await this.redis.del(key).catch(() => {});
  }

  /** Takes `n` back off a window that is still open (an attempt that turned out not to count). */
  async giveBack(action: string, subject: string, n = 1): Promise<void> {
    const key = this.key(action, subject);
    const entry = this.local.get(key);
    if (entry) entry.count = Math.max(0, entry.count - n);
    // Only while the window lives: a DECRBY of a lapsed key would leave a count that never expires.
    await this.redis.eval(GIVE_BACK, 1, key, n).catch(() => {});
  }

  /** What a subject has used of an action's window (for the admin's view of a person). */
  async usage(action: string, subject: string): Promise<Usage> {
    const key = this.key(action, subject);
    try {
      const [used, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)]);
      return { used: Number(used ?? 0), resetInS: Math.max(0, ttl) };
    } catch {
      const entry = this.local.get(key);
      const left = entry ? Math.ceil((entry.resetAt - Date.now()) / 1000) : 0;
      return left > 0 ? { used: entry!.count, resetInS: left } : { used: 0, resetInS: 0 };
    }
  }
}
