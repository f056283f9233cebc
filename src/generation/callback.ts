import type { AppContext } from '../platform/context.js';
import { generationJobId } from './job-id.js';
import { providerFor } from './providers/index.js';
import * as q from './queries.js';

export type CallbackOutcome = 'unknown' | 'unfinished' | 'promoted' | 'busy' | 'missing' | 'slow';

/** The callback answers fast: a re-fetch slower than this is left to the next poll. */
const REFETCH_LIMIT_MS = 5000;

/**
 * A provider said a generation changed (Luma's callback). The body is only a hint: the generation
 * is looked up again with our key, and only when it has really ended is the attempt's job woken to
 * poll now (the job, as always, reads the result and stores it). Idempotent: a second call finds
 * the job already running or the clip already finished.
 */
export async function wakeForTask(ctx: AppContext, provider: 'luma', taskId: string): Promise<CallbackOutcome> {
  const clip = await q.findUnfinishedByTask(ctx.db, provider, taskId);
  if (!clip) return 'unknown';
  let timer: NodeJS.Timeout | undefined;
  const st = await Promise.race([
    providerFor(ctx, provider).status(taskId, ctx.logger.child({ clipId: clip.id, taskId })),
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), REFETCH_LIMIT_MS))),
  ]).finally(() => clearTimeout(timer));
  if (!st) return 'slow';
  if (st.state === 'pending' || st.state === 'running') return 'unfinished';
  const job = await ctx.queues.generation.getJob(generationJobId(clip.id, clip.attempt));
  if (!job) return 'missing'; // the sweeper gives it a job again
  if (!(await job.isDelayed())) return 'busy';
  await job.promote().catch(() => {}); // it may have started meanwhile: then it polls anyway
  return 'promoted';
}
