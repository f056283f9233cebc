import { randomBytes } from 'node:crypto';
import { subjectHash } from './deleted-subjects.js';
import { grantCredits } from '../credits/service.js';
import { getSettings } from '../settings/service.js';
import { withTx, type DB, type Tx } from '../platform/db.js';
import type { User } from '../platform/db-types.js';
import { ForbiddenError, isUniqueViolation } from '../platform/errors.js';
import {
  countReferredUsers,
  findReferrerId,
  findUserById,
  referralCodeExists,
  setUserDisabled,
  subjectWasDeleted,
  sumReferralCredits,
  upsertUserByGoogleSub,
  type ProfileInput,
} from './queries.js';

export const SIGNUP_CREDITS = 1;
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_SHAPE = /^[a-z0-9]{4,32}$/;

export function newReferralCode(): string {
  const bytes = randomBytes(8);
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** A code from a URL or cookie, normalised; null when it cannot be one of ours. */
export function cleanReferralCode(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toLowerCase();
  return CODE_SHAPE.test(code) ? code : null;
}

/** Whether a referral link should be remembered: unknown codes are ignored. */
export async function isKnownReferralCode(db: DB, value: unknown): Promise<string | null> {
  const code = cleanReferralCode(value);
  return code && (await referralCodeExists(db, code)) ? code : null;
}

/**
 * Signs in a Google (or dev) profile: creates the account with its free credit the first time,
 * refreshes name/email/avatar every time. The signup grant is keyed on the user, so it happens
 * exactly once however many sign-ins race. A remembered referral only counts for a new account,
 * and never points at the person signing in.
 */
export async function signInProfile(db: DB, profile: ProfileInput, rememberedReferral?: string | null): Promise<User> {
  const code = cleanReferralCode(rememberedReferral);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const userId = await withTx(db, async (tx) => {
        // Someone who deleted their account gets a new, empty one: no second gift, no referral.
        const returning = await subjectWasDeleted(tx, subjectHash(profile.googleSub));
        const referrer = code && !returning ? await findReferrerId(tx, code, profile.googleSub) : null;
        const row = await upsertUserByGoogleSub(tx, profile, newReferralCode(), referrer);
        if (row.inserted && !returning) await grantCredits(tx, row.id, SIGNUP_CREDITS, 'signup', row.id, 'Welcome credit');
        return row.id;
      });
      const user = (await findUserById(db, userId))!;
      if (user.disabled_at) throw new ForbiddenError('This account has been disabled. Contact us if you think this is a mistake.', 'account_disabled');
      return user;
    } catch (err) {
      // A referral code collision is astronomically rare; try another code.
      if (isUniqueViolation(err, 'users_referral_code_key') && attempt < 2) continue;
      throw err;
    }
  }
  throw new Error('unreachable');
}

export interface ReferralSummary {
  link: string;
  signups: number;
  creditsEarned: number;
  /** What the next friend's first purchase earns (paid by billing). */
  reward: number;
}

export async function referralSummary(db: DB, user: User, publicUrl: string): Promise<ReferralSummary> {
  const [signups, creditsEarned, settings] = await Promise.all([
    countReferredUsers(db, user.id),
    sumReferralCredits(db, user.id),
    getSettings(db),
  ]);
  return { link: `${publicUrl}/r/${user.referral_code}`, signups, creditsEarned, reward: settings.referralReward };
}

/**
 * Disables an account (`at` set: sign-in and open sessions refuse it) or enables it again (null),
 * in the caller's transaction. Ending the open sessions is the caller's, after the commit.
 */
export async function setAccountDisabled(tx: Tx, userId: string, at: Date | null): Promise<void> {
  await setUserDisabled(tx, userId, at);
}
