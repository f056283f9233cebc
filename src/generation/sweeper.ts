import type { AppContext } from '../platform/context.js';
import { generationJobId } from './job-id.js';
import * as q from './queries.js';
import { enqueueGeneration } from './service.js';

/** Redis calls give up rather than hang the round while Redis is away. */
function soon<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not answer')), ms)))]).finally(() => clearTimeout(timer));
}

/** Job states that mean nobody will ever run this attempt again. */
const DEAD = new Set(['failed', 'completed', 'unknown']);

/**
 * Finds unfinished clips whose job is missing (Redis was down when they were created, or lost its
 * data) or dead, and enqueues them again. Safe to run in every worker at once: the job id makes a
 * second add a no-op. Returns how many were enqueued.
 */
export async function sweepGenerations(ctx: AppContext, opts: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await q.findUnfinishedBefore(ctx.db, new Date(Date.now() - (opts.olderThanMs ?? 30_000)), opts.limit ?? 200);
  let enqueued = 0;
  for (const clip of rows) {
    const job = await soon(ctx.queues.generation.getJob(generationJobId(clip.id, clip.attempt)));
    const state = job ? await soon(job.getState()) : 'missing';
    if (state === 'missing' || DEAD.has(state)) {
      if (job) await job.remove().catch(() => {});
      if (!(await enqueueGeneration(ctx, clip))) return enqueued; // Redis still away: next round
      enqueued++;
      ctx.logger.info({ clipId: clip.id, requestId: clip.request_id, attempt: clip.attempt, jobState: state }, 'generation re-enqueued by the sweeper');
    }
    await q.touchClip(ctx.db, clip.id);
  }
  return enqueued;
}
