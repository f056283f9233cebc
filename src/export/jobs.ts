import type { ProcessorFactory } from '../platform/jobs.js';
import { isLastTry } from '../platform/job-retry.js';
import { dispatchNext } from './dispatch.js';
import { findExport } from './queries.js';
import { runExport } from './runner.js';

/**
 * Export jobs carry the export id (also the job id) and its owner; the row is the truth, read fresh
 * each run. When the export is over (done, failed for good, or gone with its project), the owner's
 * next waiting export takes its place at the back of the queue (dispatch.ts).
 */
export const exportProcessor: ProcessorFactory = (ctx) => async (job) => {
  const data = job.data as { exportId?: string; userId?: string };
  const exportId = String(data.exportId ?? job.id);
  const lastTry = isLastTry(job);
  const userId = data.userId ?? (await findExport(ctx.db, exportId))?.user_id;
  let over = false;
  try {
    await runExport(ctx, exportId, lastTry);
    over = true;
  } finally {
    if ((over || lastTry) && userId) {
      await dispatchNext(ctx, userId).catch((err) => ctx.logger.error({ err, userId }, 'next export not dispatched (the sweeper will)'));
    }
  }
};
