import type { AppContext } from '../platform/context.js';
import { onCommit, type Conn, type Tx } from '../platform/db.js';
import type { Clip } from '../platform/db-types.js';
import { enqueue } from '../platform/queues.js';
import { enforceRate } from '../limits/rates.js';
import { insertDraftTake } from '../takes/queries.js';

// Free drafts (issue 28.2): every new photo gets a take rendered by the local motion render (slow
// pan and zoom), at no credit, on its own queue and under its own hourly limit, so the film plays
// from the first minute and drafts never wait behind (or delay) paid generations.

export interface DraftJobData {
  takeId: string;
}

const JOB_OPTS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 } } as const;

/**
 * Counts `count` drafts against the person's hourly draft limit, or refuses them all with a 429
 * that says when to try again. Call before storing photos; then queueDraft(..., { admitted: true }).
 */
export async function admitDrafts(ctx: Pick<AppContext, 'redis' | 'config' | 'db'>, userId: string, count = 1): Promise<void> {
  await enforceRate(ctx, 'draft', userId, count);
}

/** Adds the draft's job (its id is the take's, so adding twice is a no-op); false when Redis is away (the sweeper adds it). */
export function enqueueDraft(ctx: Pick<AppContext, 'queues'>, takeId: string): Promise<boolean> {
  return enqueue(ctx.queues.drafts, 'draft', { takeId } satisfies DraftJobData, { jobId: takeId, ...JOB_OPTS });
}

/**
 * The one entry point for a new photo's free draft: inserts the clip's draft take (queued, in
 * `conn`, which may be the transaction that created the clip) and, once that has committed, queues
 * its render. Counted against the hourly draft limit unless `admitted` (admitDrafts ran already).
 * No credit moves. Returns the take's id.
 */
export async function queueDraft(ctx: AppContext, conn: Conn, clip: Pick<Clip, 'id' | 'user_id' | 'duration_s'>, opts: { admitted?: boolean } = {}): Promise<string> {
  if (!opts.admitted) await admitDrafts(ctx, clip.user_id);
  const take = await insertDraftTake(conn, { clip_id: clip.id, user_id: clip.user_id, duration_s: clip.duration_s });
  const queue = async () => {
    if (!(await enqueueDraft(ctx, take.id))) ctx.logger.warn({ clipId: clip.id, takeId: take.id }, 'draft not enqueued (Redis unavailable); the sweeper will');
  };
  if (conn === ctx.db) await queue();
  else onCommit(conn as Tx, queue);
  return take.id;
}
