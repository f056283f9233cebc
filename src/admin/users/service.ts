import { confirmEmailMatches, requestDeletion } from '../../account/deletion.js';
import type { AppContext } from '../../platform/context.js';
import { grantCredits, InsufficientCreditsError, spendCredits } from '../../credits/service.js';
import { withTx, type DB } from '../../platform/db.js';
import { z } from 'zod';
import { NotFoundError, UnprocessableError } from '../../platform/errors.js';
import { readForm } from '../../platform/forms.js';
import { destroyUserSessions } from '../../platform/session-store.js';
import { setAccountDisabled } from '../../auth/service.js';
import { findUserForUpdate } from './queries.js';
import { recordAudit, type AdminCtx } from '../audit.js';

export interface CreditsForm {
  amount: number;
  reason: string;
}

/** The grant/take form: a whole number of credits and a reason the ledger keeps. */
const AMOUNT = 'Enter a whole number of credits from 1 to 100000.';
const creditsForm = z.object({
  amount: z
    .string({ error: AMOUNT })
    .trim()
    .regex(/^\d+$/, AMOUNT)
    .transform(Number)
    .pipe(z.number().int().min(1, AMOUNT).max(100_000, AMOUNT)),
  reason: z
    .string({ error: 'Give a reason (at least 3 characters); it is kept in the ledger.' })
    .transform((s) => s.trim().replace(/\s+/g, ' '))
    .pipe(z.string().min(3, 'Give a reason (at least 3 characters); it is kept in the ledger.').max(200, 'Keep the reason under 200 characters.')),
});

export function parseCreditsForm(body: unknown): CreditsForm {
  return readForm(creditsForm, body);
}

/**
 * Grants or takes credits by hand, as an `admin` ledger row carrying the reason, so the balance
 * stays the sum of the ledger. Taking more than the balance is refused, never clamped.
 */
export async function adjustCredits(db: DB, who: AdminCtx, userId: string, kind: 'grant' | 'take', form: CreditsForm): Promise<number> {
  return withTx(db, async (tx) => {
    const user = await findUserForUpdate(tx, userId);
    if (!user) throw new NotFoundError('That user does not exist.');
    let balance: number;
    if (kind === 'grant') {
      await grantCredits(tx, userId, form.amount, 'admin', null, form.reason);
      balance = user.credit_balance + form.amount;
    } else {
      try {
        balance = await spendCredits(tx, userId, form.amount, 'admin', null, form.reason);
      } catch (err) {
        if (!(err instanceof InsufficientCreditsError)) throw err;
        throw new UnprocessableError(`Cannot take ${form.amount} credits: the balance is only ${err.balance}.`, 'insufficient_credits');
      }
    }
    await recordAudit(tx, who, {
      action: kind === 'grant' ? 'user.credits_grant' : 'user.credits_take',
      target: userId,
      before: { balance: user.credit_balance },
      after: { balance, amount: kind === 'grant' ? form.amount : -form.amount, reason: form.reason },
    });
    return balance;
  });
}

/** Disabling signs the person out everywhere (their sessions are deleted) and keeps them out. */
export async function setDisabled(db: DB, who: AdminCtx, userId: string, disabled: boolean): Promise<void> {
  await withTx(db, async (tx) => {
    const user = await findUserForUpdate(tx, userId);
    if (!user) throw new NotFoundError('That user does not exist.');
    if (Boolean(user.disabled_at) === disabled) return;
    const at = disabled ? new Date() : null;
    await setAccountDisabled(tx, userId, at);
    await recordAudit(tx, who, {
      action: disabled ? 'user.disable' : 'user.enable',
      target: userId,
      before: { disabled_at: user.disabled_at },
      after: { disabled_at: at },
    });
  });
  // After the commit: sign-in already refuses a disabled account, this ends the open sessions.
  if (disabled) await destroyUserSessions(db, userId);
}

/**
 * Deletes an account as the person would (src/account/deletion.ts). The audit row names the
 * anonymous id that keeps the books, not the person: after deletion nothing should name them.
 */
export async function deleteAccountAsAdmin(ctx: AppContext, who: AdminCtx, userId: string, typedEmail: unknown): Promise<void> {
  const user = await findUserForUpdate(ctx.db, userId);
  if (!user || user.deleted_at) throw new NotFoundError('That user does not exist.');
  confirmEmailMatches(user, typedEmail);
  await requestDeletion(ctx, userId, 'admin', (tx, d) =>
    recordAudit(tx, who, { action: 'user.delete', target: d.anon_id, before: null, after: { deletion_id: d.id, credits_forfeited: user.credit_balance } }),
  );
}
