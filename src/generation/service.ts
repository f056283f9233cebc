import { grantCredits } from '../credits/service.js';
import type { AppContext } from '../platform/context.js';
import { withTx, type Conn } from '../platform/db.js';
import type { Clip } from '../platform/db-types.js';
import { enqueue } from '../platform/queues.js';
import { generationDuration, generationsTotal } from '../platform/metrics.js';
import { generationJobId, ledgerReference } from './keys.js';
import type { Failure } from './messages.js';
import * as q from './queries.js';

export interface GenerationJobData {
  clipId: string;
  attempt: number;
  step?: 'submit' | 'poll';
  /** Consecutive provider calls that failed in a way worth retrying. */
  failures?: number;
  /** The generation timeout in force when the task was submitted; a later admin change leaves it be. */
  timeoutMin?: number;
}

/** Job options: retries with backoff cover our own outages (database); step delays are not attempts. */
const JOB_OPTS = { attempts: 8, backoff: { type: 'exponential', delay: 2000 } } as const;

/**
 * Queues the attempt's job. False when Redis is away: the clip stays `queued` and the sweeper
 * enqueues it later (the job id makes a second add a no-op).
 */
export async function enqueueGeneration(ctx: AppContext, clip: Pick<Clip, 'id' | 'attempt'>): Promise<boolean> {
  const data: GenerationJobData = { clipId: clip.id, attempt: clip.attempt, step: 'submit' };
  return enqueue(ctx.queues.generation, 'generate', data, { jobId: generationJobId(clip.id, clip.attempt), ...JOB_OPTS });
}

function observe(clip: Pick<Clip, 'provider' | 'submitted_at'>, outcome: string): void {
  const provider = clip.provider ?? 'unknown';
  generationsTotal.inc({ provider, outcome });
  if (clip.submitted_at) generationDuration.observe({ provider, outcome }, (Date.now() - clip.submitted_at.getTime()) / 1000);
}

/**
 * Ends an unfinished attempt as `error` and refunds its credits, in one transaction, exactly once:
 * the status change is conditional and the refund is keyed by `<clip>:<attempt>`. Returns the clip
 * as it was, or undefined when the attempt had already ended (nothing done).
 */
export async function failGeneration(ctx: AppContext, clipId: string, attempt: number, failure: Failure, outcome = 'error'): Promise<Clip | undefined> {
  const clip = await withTx(ctx.db, async (tx) => {
    const row = await q.lockUnfinished(tx, clipId, attempt);
    if (!row) return undefined;
    await q.markError(tx, clipId, failure);
    if (row.credits_spent > 0) {
      await grantCredits(tx, row.user_id, row.credits_spent, 'refund', ledgerReference(clipId, attempt), `Refund: ${failure.code}`);
    }
    return row;
  });
  if (clip) observe(clip, outcome);
  return clip;
}

/**
 * Marks the attempt ready with its stored video. The previous attempt's video (a regeneration) is
 * deleted after the commit; when the attempt had ended meanwhile (cancelled), the new object is.
 */
export async function completeGeneration(ctx: AppContext, clipId: string, attempt: number, videoKey: string, videoDurationS: number | null = null): Promise<boolean> {
  // Recorded for the storage quota (which a paid generation's video is never refused by).
  const videoBytes = await ctx.storage.size(videoKey).catch(() => null);
  const before = await withTx(ctx.db, async (tx) => {
    const row = await q.lockUnfinished(tx, clipId, attempt);
    if (row) {
      await q.markReady(tx, clipId, videoKey, { bytes: videoBytes, durationS: videoDurationS });
    }
    return row;
  });
  if (!before) {
    const now = await q.findClipById(ctx.db, clipId);
    if (now?.video_key !== videoKey) await ctx.storage.delete(videoKey).catch(() => {});
    return false;
  }
  if (before.video_key && before.video_key !== videoKey) {
    await ctx.storage.delete(before.video_key).catch((err) => ctx.logger.warn({ clipId, err }, 'old video not deleted'));
  }
  observe(before, 'ready');
  return true;
}
