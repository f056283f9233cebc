import type { ProcessorFactory } from '../platform/jobs.js';
import { isLastTry } from '../platform/job-retry.js';
import { runExport } from './runner.js';

/** Export jobs carry the export id (also the job id); the row is the truth, read fresh each run. */
export const exportProcessor: ProcessorFactory = (ctx) => async (job) => {
  const exportId = String((job.data as { exportId?: string }).exportId ?? job.id);
  await runExport(ctx, exportId, isLastTry(job));
};
