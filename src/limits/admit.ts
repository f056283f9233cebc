import type { AppContext } from '../platform/context.js';
import { getSettings } from '../settings/service.js';
import { roomLeft } from './quota.js';
import { enforceRate } from './rates.js';

// The limit checks a feature runs before it starts work, in one line at its route.

/** An export makes a file that counts against the quota: refused when storage is full, or too often. */
export async function admitExport(ctx: AppContext, userId: string): Promise<void> {
  await roomLeft(ctx.db, await getSettings(ctx.db), userId, 1);
  await enforceRate(ctx, 'export', userId);
}

export async function admitShare(ctx: AppContext, userId: string): Promise<void> {
  await enforceRate(ctx, 'share', userId);
}

/** Starting a Google sign-in (a redirect and a cookie, nothing stored): counted per address, apart from finished ones. */
export async function admitSignInStart(ctx: AppContext, ip: string): Promise<void> {
  await enforceRate(ctx, 'sign-in-start', ip);
}

/**
 * A sign-in attempt, counted per address and, once known, per account (the Google subject, never
 * the email, which another Google account can claim too): a script trying many accounts from one
 * place, or one account from many, is slowed either way.
 */
export async function admitSignIn(ctx: AppContext, who: { ip?: string; subject?: string }): Promise<void> {
  if (who.ip) await enforceRate(ctx, 'sign-in-address', who.ip);
  if (who.subject) await enforceRate(ctx, 'sign-in-account', who.subject);
}
