import type { AppContext } from '../platform/context.js';
import { count, fromNow } from '../platform/format.js';
import { RateLimitedError } from '../platform/errors.js';
import type { Settings } from '../settings/defaults.js';
import { getSettings } from '../settings/service.js';
import { RateLimiter } from './rate-limiter.js';

export const WINDOW_S = 3600;

/** What is limited, by which setting, and how a refusal names it ("60 image uploads"). */
export const RATES = {
  'image-upload': { setting: 'imageUploadsPerHour', label: 'Image uploads', unit: (n: number) => count(n, 'image upload') },
  'music-upload': { setting: 'musicUploadsPerHour', label: 'Music uploads', unit: (n: number) => count(n, 'music upload') },
  'analysis-minutes': { setting: 'analysisMinutesPerHour', label: 'Beat analysis (minutes of audio)', unit: (n: number) => `${count(n, 'minute')} of music analysed` },
  draft: { setting: 'draftsPerHour', label: 'Free drafts', unit: (n: number) => count(n, 'free draft') },
  share: { setting: 'sharesPerHour', label: 'Shares', unit: (n: number) => count(n, 'share') },
  export: { setting: 'exportsPerHour', label: 'Exports', unit: (n: number) => count(n, 'export') },
  // Keyed on the Google subject (dev:<email> for the dev sign-in): another Google account that
  // claims the same email cannot use this one's allowance up.
  'sign-in-account': { setting: 'signInsPerHourPerEmail', label: 'Sign-in attempts (this account)', unit: (n: number) => `${count(n, 'sign-in attempt')} for one account` },
  'sign-in-start': { setting: 'signInsPerHourPerAddress', label: 'Google sign-ins started (per address)', unit: (n: number) => `${count(n, 'sign-in')} started from one address` },
  'sign-in-address': { setting: 'signInsPerHourPerAddress', label: 'Sign-in attempts (per address)', unit: (n: number) => `${count(n, 'sign-in attempt')} from one address` },
} as const satisfies Record<string, { setting: keyof Settings; label: string; unit: (n: number) => string }>;

export type RateAction = keyof typeof RATES;

const limiters = new WeakMap<object, RateLimiter>();

/** One limiter per Redis client, so its stand-in count (Redis away) is shared by the process. */
export function limiterFor(ctx: Pick<AppContext, 'redis' | 'config'>): RateLimiter {
  let limiter = limiters.get(ctx.redis);
  if (!limiter) {
    limiter = new RateLimiter(ctx.redis, ctx.config.QUEUE_PREFIX);
    limiters.set(ctx.redis, limiter);
  }
  return limiter;
}

/**
 * Counts one action (or `cost` units of it) against the subject's hourly allowance, or refuses it
 * with a 429 that says when to try again. The subject is a user id, or for sign-in an address or
 * a Google subject.
 */
export async function enforceRate(ctx: Pick<AppContext, 'redis' | 'config' | 'db'>, action: RateAction, subject: string, cost = 1): Promise<void> {
  const rate = RATES[action];
  const max = (await getSettings(ctx.db))[rate.setting];
  const wait = await limiterFor(ctx).take(action, subject, max, WINDOW_S, cost);
  if (wait === 0) return;
  throw new RateLimitedError(`You have reached the limit of ${rate.unit(max)} an hour. Please try again ${fromNow(wait)}.`, wait);
}
