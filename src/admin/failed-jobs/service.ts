import { beginNextAttempt, queueAttempt } from '../../clips/create-and-regenerate.js';
import { ledgerExists } from '../../credits/queries.js';
import { grantCredits } from '../../credits/service.js';
import { ledgerReference } from '../../credits/ledger-reference.js';
import type { AppContext } from '../../platform/context.js';
import { withTx, type DB } from '../../platform/db.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { getSettings } from '../../settings/service.js';
import { recordAudit, type AdminCtx } from '../audit.js';
import { findClipForUpdate, isClipStuck } from './queries.js';

export interface RetryResult {
  attempt: number;
  enqueued: boolean;
  free: boolean;
}

/**
 * Puts a failed generation back in the queue as its next attempt, the way a creator's regeneration
 * does (clips/create-and-regenerate.ts: today's primary provider and model, this request's id), but at no charge.
 * When the failed attempt was refunded (the normal case), the new attempt costs nothing
 * (`credits_spent` 0, so a failure refunds nothing); when it was not, the credits already paid
 * carry over to the new attempt, so its failure would refund them once. Either way the user pays
 * at most once.
 */
export async function retryGeneration(ctx: AppContext, who: AdminCtx, clipId: string, requestId: string): Promise<RetryResult> {
  const settings = await getSettings(ctx.db);
  const next = await withTx(ctx.db, async (tx) => {
    const clip = await findClipForUpdate(tx, clipId);
    if (!clip) throw new NotFoundError('That clip does not exist.');
    // A stuck clip may still have a live job; retrying it could submit it twice.
    if (clip.status !== 'error') throw new ConflictError(`Only failed generations can be retried; this one is ${clip.status}.`, 'not_failed');
    const refunded = await ledgerExists(tx, 'refund', ledgerReference(clip.id, clip.attempt));
    const next = await beginNextAttempt(ctx, tx, clip, settings, { requestId, carried: refunded ? 0 : clip.credits_spent });
    await recordAudit(tx, who, {
      action: 'clip.retry',
      target: clip.id,
      before: { status: clip.status, attempt: clip.attempt, provider_task_id: clip.provider_task_id, error_code: clip.error_code, error_message: clip.error_message, credits_spent: clip.credits_spent, refunded },
      after: { status: next.status, attempt: next.attempt, credits_spent: next.credits_spent },
    });
    return next;
  });
  // After the commit, so the worker finds the row as we left it.
  const enqueued = await queueAttempt(ctx, next);
  return { attempt: next.attempt, free: next.credits_spent === 0, enqueued };
}

/**
 * Refunds the clip's current attempt by hand, when automation could not. The same ledger
 * reference as the automatic refund, so it happens once whichever comes first.
 */
export async function refundGeneration(db: DB, who: AdminCtx, clipId: string): Promise<{ amount: number; granted: boolean }> {
  const settings = await getSettings(db);
  return withTx(db, async (tx) => {
    const clip = await findClipForUpdate(tx, clipId);
    if (!clip) throw new NotFoundError('That clip does not exist.');
    if (clip.status === 'ready') throw new ConflictError('This clip finished successfully; there is nothing to refund.', 'not_failed');
    if (clip.status !== 'error' && !(await isClipStuck(tx, clip.id, settings.generationTimeoutMin))) {
      throw new ConflictError('This generation is still within its time limit; refund it only once it failed or got stuck.', 'not_failed');
    }
    if (clip.credits_spent <= 0) throw new ConflictError('Nothing to refund: this attempt cost no credits.', 'nothing_to_refund');
    const reference = ledgerReference(clip.id, clip.attempt);
    const granted = await grantCredits(tx, clip.user_id, clip.credits_spent, 'refund', reference, 'Refunded by admin');
    await recordAudit(tx, who, {
      action: 'clip.refund',
      target: clip.id,
      after: { user_id: clip.user_id, reference, credits: granted ? clip.credits_spent : 0, already_refunded: !granted },
    });
    return { amount: clip.credits_spent, granted };
  });
}
