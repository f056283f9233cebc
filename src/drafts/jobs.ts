import type { PeriodicTask, ProcessorFactory } from '../platform/jobs.js';
import { findUnfinishedDraftsBefore } from '../takes/queries.js';
import { makeDraftProcessor } from './render.js';
import { enqueueDraft } from './service.js';

/** One job per draft take (its id is the take's). */
export const draftProcessor: ProcessorFactory = (ctx) => makeDraftProcessor(ctx);

export const draftTasks: PeriodicTask[] = [
  {
    // A draft asked for while Redis was away has no job: add it (the job id makes a second add a no-op).
    name: 'draft-sweeper',
    everyMs: 20_000,
    run: async (ctx) => {
      for (const t of await findUnfinishedDraftsBefore(ctx.db, new Date(Date.now() - 30_000), 100)) {
        const job = await ctx.queues.drafts.getJob(t.id);
        const state = job ? await job.getState() : 'missing';
        if (state === 'missing' || state === 'completed' || state === 'failed') {
          if (job) await job.remove().catch(() => {});
          if (!(await enqueueDraft(ctx, t.id))) return;
        }
      }
    },
  },
];
