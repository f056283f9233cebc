import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../platform/context.js';
import { RateLimitedError } from '../platform/errors.js';
import { fromNow } from '../platform/format.js';
import { limiterFor } from './rates.js';

/** Per-route limits beside the hourly allowances (rates.ts): fixed, not admin settings. */
export const ROUTE_LIMITS = {
  // Each builds a ZIP of the whole account.
  'account-export': { max: 10, windowS: 3600 },
  'account-delete': { max: 10, windowS: 60 },
  // Each attempt is checked for room and the hourly export allowance; this only stops hammering.
  'project-export': { max: 20, windowS: 60 },
  // Each attempt opens a Stripe session; a person never needs many a minute.
  'checkout': { max: 10, windowS: 60 },
} as const satisfies Record<string, { max: number; windowS: number }>;

export type RouteLimit = keyof typeof ROUTE_LIMITS;

/**
 * Who a limit counts against: the signed-in person wherever there is one, so people sharing an
 * address (a NAT, an office) never use up each other's allowance; the address only when nobody
 * is signed in (req.ip honours X-Forwarded-For only as TRUST_PROXY allows).
 */
export function limitSubject(req: Pick<FastifyRequest, 'ip'> & { user?: { id: string } | null }): string {
  return req.user ? `user:${req.user.id}` : `ip:${req.ip}`;
}

/** Counts one request against the route's limit in Redis (shared by every process), or refuses it with a 429. */
export async function enforceRouteLimit(ctx: Pick<AppContext, 'redis' | 'config'>, req: Parameters<typeof limitSubject>[0], route: RouteLimit): Promise<void> {
  const { max, windowS } = ROUTE_LIMITS[route];
  const wait = await limiterFor(ctx).take(`route-${route}`, limitSubject(req), max, windowS);
  if (wait === 0) return;
  throw new RateLimitedError(`Too many requests of this kind. Please wait and try again ${fromNow(wait)}.`, wait);
}
