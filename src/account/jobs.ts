import type { PeriodicTask, ProcessorFactory } from '../platform/jobs.js';
import { isLastTry } from '../platform/job-retry.js';
import { buildAccountExport, purgeOldAccountExports } from './data-export.js';
import { enqueueDeletion, runDeletion } from './deletion.js';
import { listStalePendingDeletions } from './queries.js';

/** `account` queue: data downloads ({exportId}) and deletions ({deletionId}); both safe to run twice. */
export const accountProcessor: ProcessorFactory = (ctx) => async (job) => {
  if (job.name === 'account-export') return buildAccountExport(ctx, (job.data as { exportId: string }).exportId, isLastTry(job));
  if (job.name === 'delete-account') {
    const outcome = await runDeletion(ctx, (job.data as { deletionId: string }).deletionId);
    if (outcome === 'partial') throw new Error('account deletion did not finish');
    return outcome;
  }
  throw new Error(`unknown account job ${job.name}`);
};

export const accountTasks: PeriodicTask[] = [
  {
    // A deletion whose job was never queued (Redis away) or was lost is queued again; the job id
    // is the deletion's, so one already waiting is not doubled.
    name: 'account-deletion-sweep',
    everyMs: 5 * 60_000,
    run: async (ctx) => {
      for (const d of await listStalePendingDeletions(ctx.db, new Date(Date.now() - 10 * 60_000))) await enqueueDeletion(ctx, d.id);
    },
  },
  {
    name: 'account-export-purge',
    everyMs: 60 * 60_000,
    run: async (ctx) => {
      const n = await purgeOldAccountExports(ctx);
      if (n > 0) ctx.logger.info({ purged: n }, 'old data downloads deleted');
    },
  },
];
