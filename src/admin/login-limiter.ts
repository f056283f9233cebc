import { limiterFor } from '../limits/rates.js';
import type { AppContext } from '../platform/context.js';

// Admin sign-in on the one rate limiter (src/limits/rate-limiter.ts, Redis, every web process).
// Each attempt is counted *before* the password is checked, so parallel guesses cannot slip past
// a limit; a success takes itself back off, so in effect only failures add up.

/** Failed attempts one address may make in WINDOW_S (nobody is signed in yet: the address is all there is). */
export const MAX_FAILURES = 5;
export const WINDOW_S = 15 * 60;

/**
 * Failed admin sign-ins across every address, so guessing from many addresses (or forged ones)
 * still runs into a wall: past GLOBAL_MAX_FAILURES in a window the whole admin sign-in is locked
 * until the window ends, for everyone. High enough that a forgetful admin never meets it, low
 * enough that a spread-out guesser gets about 200 guesses an hour. An admin already signed in
 * does not notice: only the sign-in form consults it.
 */
export const GLOBAL_MAX_FAILURES = 50;
export const GLOBAL_WINDOW_S = 15 * 60;
/** The lock lasts until the window that filled up ends: at most this long. */
export const GLOBAL_LOCK_S = GLOBAL_WINDOW_S;

const PER_ADDRESS = 'admin-sign-in';
const EVERYONE = 'admin-sign-in-all';

export type AdminSignInCheck = { ok: true } | { ok: false; scope: 'address' | 'everyone'; waitS: number };

/** Counts an attempt from `ip`, per address then across all; refused when either is used up. */
export async function admitAdminSignIn(ctx: Pick<AppContext, 'redis' | 'config'>, ip: string): Promise<AdminSignInCheck> {
  const limiter = limiterFor(ctx);
  const perAddress = await limiter.take(PER_ADDRESS, ip, MAX_FAILURES, WINDOW_S);
  if (perAddress > 0) return { ok: false, scope: 'address', waitS: perAddress };
  const everyone = await limiter.take(EVERYONE, 'all', GLOBAL_MAX_FAILURES, GLOBAL_WINDOW_S);
  if (everyone > 0) return { ok: false, scope: 'everyone', waitS: everyone };
  return { ok: true };
}

/** The attempt was the right password: it was no failure. */
export async function adminSignInSucceeded(ctx: Pick<AppContext, 'redis' | 'config'>, ip: string): Promise<void> {
  const limiter = limiterFor(ctx);
  await Promise.all([limiter.reset(PER_ADDRESS, ip), limiter.giveBack(EVERYONE, 'all')]);
}
