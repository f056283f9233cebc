import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { ExportRow } from '../platform/db-types.js';
import type { PeriodicTask } from '../platform/jobs.js';
import { RETRY_OURS } from '../platform/job-retry.js';
import { enqueue } from '../platform/queues.js';
import { dispatchOldestWaiting, findDispatchedExport, findIdleDispatchedExports, lockPersonsExports, markError, usersWithWaitingExports } from './queries.js';

/**
 * Fair turns without BullMQ Pro's groups (decision 0035): a person has at most one export in the
 * render queue; the rest wait in the database (`queued`, not dispatched) and the next is queued when
 * the current one ends. The queue is first come, first served, so each person's next export joins
 * the back of the line: people take turns, and one person's exports run one after another.
 */

/** Exports come after generation: their own queue, ffmpeg at a lower CPU priority, and this job priority among exports. */
export const EXPORT_JOB_PRIORITY = 10;
/** A rendering export writes progress every second or so; this long without a write, it died. */
export const STALE_AFTER_MS = 10 * 60_000;
export const QUEUE_DOWN = 'The render queue is unavailable right now. Please try again in a minute.';

/**
 * Puts the person's next waiting export in the render queue, unless one of theirs is already there.
 * Returns the export dispatched (its row as updated), or undefined.
 */
export async function dispatchNext(ctx: Pick<AppContext, 'db' | 'queues' | 'logger'>, userId: string): Promise<ExportRow | undefined> {
  const row = await withTx(ctx.db, async (tx) => {
    await lockPersonsExports(tx, userId);
    if (await findDispatchedExport(tx, userId)) return undefined;
    return dispatchOldestWaiting(tx, userId);
  });
  if (!row) return undefined;
  const queued = await enqueue(ctx.queues.export, 'export', { exportId: row.id, userId }, { jobId: row.id, priority: EXPORT_JOB_PRIORITY, ...RETRY_OURS });
  if (!queued) {
    // Fail it now so the person can simply try again; their next one waits for the sweeper.
    await markError(ctx.db, row.id, QUEUE_DOWN);
    ctx.logger.warn({ exportId: row.id, projectId: row.project_id }, 'export could not be enqueued');
    return { ...row, status: 'error', error_message: QUEUE_DOWN };
  }
  ctx.logger.info({ exportId: row.id, projectId: row.project_id }, 'export dispatched');
  return row;
}

/**
 * A dispatched export left behind by a crash (no job in the queue, or no progress for a long time)
 * would hold the person's turn and its project's one-running-export slot forever: mark it failed and
 * give the turn to the person's next export.
 */
export async function releaseIfStuck(ctx: Pick<AppContext, 'db' | 'queues' | 'logger'>, running: ExportRow): Promise<void> {
  if (!running.dispatched_at && running.status === 'queued') {
    await dispatchNext(ctx, running.user_id); // waiting: its turn may simply never have been given
    return;
  }
  const idle = Date.now() - running.updated_at.getTime();
  if (idle < STALE_AFTER_MS) return;
  if (running.status === 'queued') {
    const job = await ctx.queues.export.getJob(running.id).catch(() => 'unknown' as const);
    if (job) return; // still waiting its turn (or Redis is unreachable: assume it is)
  }
  ctx.logger.warn({ exportId: running.id, projectId: running.project_id }, 'export stuck; marking it failed');
  await markError(ctx.db, running.id, 'This export stopped responding. Please try again.');
  await dispatchNext(ctx, running.user_id);
}

export const exportDispatchTasks: PeriodicTask[] = [
  {
    name: 'export-dispatch',
    everyMs: 60_000,
    run: async (ctx) => {
      for (const stuck of await findIdleDispatchedExports(ctx.db, STALE_AFTER_MS / 1000)) await releaseIfStuck(ctx, stuck);
      for (const userId of await usersWithWaitingExports(ctx.db, 30)) await dispatchNext(ctx, userId);
    },
  },
];
