import type { Redis } from 'ioredis';

// A failure opens the breaker after `threshold` in a row (none more than 10 cool-downs apart), or at once when
// the provider is on probation (it was open recently and the cool-down has just passed).
const FAIL = `local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if n >= tonumber(ARGV[1]) or redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

export interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
}

/**
 * A circuit breaker per provider, kept in Redis so every worker sees the same state: while it is
 * open, new clips go straight to the fallback; after the cool-down the primary is tried again.
 */
export function providerBreaker(redis: Redis, prefix: string, o: BreakerOptions) {
  const keys = (p: string) => [`${prefix}:breaker:${p}:failures`, `${prefix}:breaker:${p}:open`, `${prefix}:breaker:${p}:probation`];
  return {
    async isOpen(provider: string): Promise<boolean> {
      return (await redis.exists(keys(provider)[1]!)) === 1;
    },
    /** Counts a start the provider refused for its own reasons; true when this opened the breaker. */
    async failure(provider: string): Promise<boolean> {
      const opened = await redis.eval(FAIL, 3, ...keys(provider), String(o.threshold), String(o.cooldownMs), String(o.cooldownMs * 10));
      return opened === 1;
    },
    async success(provider: string): Promise<void> {
      const [failures, , probation] = keys(provider);
      await redis.del(failures!, probation!);
    },
  };
}

export type ProviderBreaker = ReturnType<typeof providerBreaker>;
