import { ledgerExists } from '../../credits/queries.js';
import { grantCredits } from '../../credits/service.js';
import { withTx, type DB } from '../../platform/db.js';
import { NotFoundError, UserError } from '../../platform/errors.js';
import type { Queues } from '../../platform/queues.js';
import { getSettings } from '../../settings/service.js';
import { enqueueGenerationAttempt } from '../generation-job.js';
import { findClipForUpdate, isClipStuck, updateClip } from '../queries/jobs.js';
import { recordAudit, type AdminCtx } from './audit.js';

const ref = (clipId: string, attempt: number) => `${clipId}:${attempt}`;

export interface RetryResult {
  attempt: number;
  enqueued: boolean;
  free: boolean;
}

/**
 * Puts a failed generation back in the queue as its next attempt, at no charge. When the failed
 * attempt was refunded (the normal case), the new attempt costs nothing (`credits_spent` 0, so a
 * failure refunds nothing); when it was not, the credits already paid carry over to the new
 * attempt, so its failure would refund them once. Either way the user pays at most once.
 */
export async function retryGeneration(db: DB, queues: Queues, who: AdminCtx, clipId: string): Promise<RetryResult> {
  const result = await withTx(db, async (tx) => {
    const clip = await findClipForUpdate(tx, clipId);
    if (!clip) throw new NotFoundError('That clip does not exist.');
    // A stuck clip may still have a live job; retrying it could submit it twice.
    if (clip.status !== 'error') throw new UserError(`Only failed generations can be retried; this one is ${clip.status}.`, 409, 'not_failed');
    const refunded = await ledgerExists(tx, 'refund', ref(clip.id, clip.attempt));
    const creditsSpent = refunded ? 0 : clip.credits_spent;
    const attempt = clip.attempt + 1;
    await updateClip(tx, clip.id, {
      status: 'queued', attempt, credits_spent: creditsSpent, progress: 0,
      provider_task_id: null, failover_from: null, failover_reason: null, error_code: null, error_message: null, error_detail: null, submitted_at: null, finished_at: null,
    });
    await recordAudit(tx, who, {
      action: 'clip.retry',
      target: clip.id,
      before: { status: clip.status, attempt: clip.attempt, provider_task_id: clip.provider_task_id, error_code: clip.error_code, error_message: clip.error_message, credits_spent: clip.credits_spent, refunded },
      after: { status: 'queued', attempt, credits_spent: creditsSpent },
    });
    return { attempt, free: creditsSpent === 0 };
  });
  // After the commit, so the worker finds the row as we left it. When Redis is away the clip
  // stays queued and the generation sweeper enqueues it later.
  const enqueued = await enqueueGenerationAttempt(queues, clipId, result.attempt);
  return { ...result, enqueued };
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
    if (clip.status === 'ready') throw new UserError('This clip finished successfully; there is nothing to refund.', 409, 'not_failed');
    if (clip.status !== 'error' && !(await isClipStuck(tx, clip.id, settings.generationTimeoutMin))) {
      throw new UserError('This generation is still within its time limit; refund it only once it failed or got stuck.', 409, 'not_failed');
    }
    if (clip.credits_spent <= 0) throw new UserError('Nothing to refund: this attempt cost no credits.', 409, 'nothing_to_refund');
    const reference = ref(clip.id, clip.attempt);
    const granted = await grantCredits(tx, clip.user_id, clip.credits_spent, 'refund', reference, 'Refunded by admin');
    await recordAudit(tx, who, {
      action: 'clip.refund',
      target: clip.id,
      after: { user_id: clip.user_id, reference, credits: granted ? clip.credits_spent : 0, already_refunded: !granted },
    });
    return { amount: clip.credits_spent, granted };
  });
}
