import { randomBytes } from 'node:crypto';
import { grantCredits } from '../credits/service.js';
import { withTx, type DB } from '../platform/db.js';
import { isUniqueViolation } from '../platform/errors.js';
import { findUserById, findUserIdByReferralCode, upsertUserByGoogleSub, type ProfileInput } from './queries.js';

export const SIGNUP_CREDITS = 1;
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newReferralCode(): string {
  const bytes = randomBytes(8);
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/**
 * Signs in a Google (or dev) profile: creates the account with its free credit the first time,
 * refreshes name/email/avatar every time. The signup grant is keyed on the user, so it happens
 * exactly once however many sign-ins race.
 */
export async function signInProfile(db: DB, profile: ProfileInput, rememberedReferral?: string | null) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const userId = await withTx(db, async (tx) => {
        const referrer = rememberedReferral ? await findUserIdByReferralCode(tx, rememberedReferral) : null;
        const row = await upsertUserByGoogleSub(tx, profile, newReferralCode(), referrer);
        if (row.inserted) await grantCredits(tx, row.id, SIGNUP_CREDITS, 'signup', row.id, 'Welcome credit');
        return row.id;
      });
      const user = await findUserById(db, userId);
      return user!;
    } catch (err) {
      // A referral code collision is astronomically rare; try another code.
      if (isUniqueViolation(err, 'users_referral_code_key') && attempt < 2) continue;
      throw err;
    }
  }
  throw new Error('unreachable');
}
