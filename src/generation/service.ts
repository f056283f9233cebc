import { grantCredits } from '../credits/service.js';
import type { AppContext } from '../platform/context.js';
import { withTx, type Conn, type Tx } from '../platform/db.js';
import type { Clip } from '../platform/db-types.js';
import { enqueue } from '../platform/queues.js';
import { generationDuration, generationsTotal } from '../platform/metrics.js';
import { ledgerReference } from '../credits/ledger-reference.js';
import { generationJobId } from './job-id.js';
import { providerFor } from './providers/index.js';
import type { Failure } from './messages.js';
import * as q from './queries.js';
import * as takes from '../takes/queries.js';

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
  const ended = await withTx(ctx.db, async (tx) => {
    const row = await q.lockUnfinished(tx, clipId, attempt);
    if (!row) return undefined;
    await q.markError(tx, clipId, failure);
    await takes.failAttemptTake(tx, clipId, attempt, failure);
    if (row.credits_spent > 0) {
      await grantCredits(tx, row.user_id, row.credits_spent, 'refund', ledgerReference(clipId, attempt), `Refund: ${failure.code}`);
    }
    // A creator's cancel stops the versions queued behind this one too; a failure lets the next try.
    if (outcome === 'cancelled') {
      await refundQueuedVersions(tx, row, failure);
      return { row, next: undefined };
    }
    return { row, next: await startQueuedVersion(tx, row) };
  });
  if (!ended) return undefined;
  observe(ended.row, outcome);
  if (ended.next) await enqueueGeneration(ctx, ended.next);
  return ended.row;
}

/**
 * The next paid version queued behind the attempt that just ended (variations run one after the
 * other, each its own attempt and charge): the clip's pipeline moves on to it, in the ending
 * transaction. Enqueue the returned clip once that has committed (or the sweeper will).
 */
async function startQueuedVersion(tx: Tx, ended: Clip): Promise<Clip | undefined> {
  const [take] = await takes.queuedVersionsAfter(tx, ended.id, ended.attempt);
  if (!take || take.attempt === null) return undefined;
  return q.startNextAttempt(tx, ended.id, {
    attempt: take.attempt,
    provider: take.provider ?? ended.provider ?? 'local',
    model: take.model ?? ended.model ?? '',
    creditsSpent: take.credits_spent,
    requestId: ended.request_id,
    prompt: take.prompt,
    durationS: take.duration_s,
    motion: take.motion,
    endImageKey: take.end_image_key,
  });
}

/** Versions queued behind an attempt that will not run (cancelled, or the clip deleted): each refunded once, by its own reference. */
export async function refundQueuedVersions(tx: Tx, clip: Clip, failure: Pick<Failure, 'code' | 'message'>): Promise<void> {
  for (const take of await takes.queuedVersionsAfter(tx, clip.id, clip.attempt)) {
    await takes.failAttemptTake(tx, clip.id, take.attempt!, failure);
    if (take.credits_spent > 0) await grantCredits(tx, clip.user_id, take.credits_spent, 'refund', ledgerReference(clip.id, take.attempt!), `Refund: ${failure.code}`);
  }
}

/**
 * Marks the attempt ready: its take holds the stored video and becomes the one the film uses. Earlier
 * takes stay (a creator may choose one again); when the attempt had ended meanwhile (cancelled, or
 * the clip deleted), the new object is deleted instead.
 */
export async function completeGeneration(ctx: AppContext, clipId: string, attempt: number, videoKey: string, videoDurationS: number | null = null): Promise<boolean> {
  // Recorded for the storage quota (which a paid generation's video is never refused by).
  const videoBytes = await ctx.storage.size(videoKey).catch(() => null);
  let next: Clip | undefined;
  const before = await withTx(ctx.db, async (tx) => {
    const row = await q.lockUnfinished(tx, clipId, attempt);
    if (row) {
      const takeId = await takes.completeAttemptTake(tx, row, { key: videoKey, bytes: videoBytes, durationS: videoDurationS });
      await q.markReady(tx, clipId, takeId);
      next = await startQueuedVersion(tx, row);
    }
    return row;
  });
  if (next) await enqueueGeneration(ctx, next);
  if (!before) {
    const kept = await takes.takeVideoKeys(ctx.db, clipId);
    if (!kept.includes(videoKey)) await ctx.storage.delete(videoKey).catch(() => {});
    return false;
  }
  observe(before, 'ready');
  return true;
}

const unfinished = (c: Pick<Clip, 'status'>) => c.status === 'queued' || c.status === 'generating';
/** How long a deletion waits for a provider to take its cancel before it deletes the media anyway. */
const CANCEL_WAIT_MS = 5_000;

/**
 * A clip deleted (alone or with its project) before its attempt finished gets that attempt's
 * credits back, inside the deleting transaction, with the row locked. Keyed like every refund
 * (`<clip>:<attempt>`), so it cannot meet a worker's failure refund twice.
 */
export async function refundDeletedAttempt(tx: Tx, clip: Clip): Promise<void> {
  if (!unfinished(clip)) return;
  if (clip.credits_spent > 0) await grantCredits(tx, clip.user_id, clip.credits_spent, 'refund', ledgerReference(clip.id, clip.attempt), 'Refund: clip deleted before it finished');
  await refundQueuedVersions(tx, clip, { code: 'DELETED', message: 'The clip was deleted before this version was made.' });
}

/**
 * Asks the providers to stop the tasks of deleted unfinished clips, and waits (a bounded time) for
 * them to take it: the local renderer writes its output itself, so its task must read `cancelled`
 * before the media is deleted, or a render finishing in between would store a video nobody owns.
 * A task not recorded yet is cancelled by its worker (recordTask finds no row).
 */
export async function stopDeletedTasks(ctx: AppContext, clips: Clip[]): Promise<void> {
  const running = clips.filter((c) => unfinished(c) && c.provider_task_id);
  await Promise.all(
    running.map(async (clip) => {
      const log = ctx.logger.child({ clipId: clip.id, requestId: clip.request_id, taskId: clip.provider_task_id });
      let timer: NodeJS.Timeout | undefined;
      const cancelled = Promise.resolve()
        .then(() => providerFor(ctx, clip.provider).cancel(clip.provider_task_id!, log))
        .then(
          () => 'cancelled' as const,
          (err: Error) => log.warn({ err: err.message }, 'provider cancel failed'),
        );
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CANCEL_WAIT_MS)));
      if ((await Promise.race([cancelled, late])) === 'late') log.warn('provider cancel still running; deleting the media anyway');
      clearTimeout(timer);
    }),
  );
}
