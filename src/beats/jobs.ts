import type { ProcessorFactory } from '../platform/jobs.js';
import { runAnalysis } from './service.js';

/** `analysis` queue: one job per uploaded track ({projectId, musicKey}). Costs no credits. */
export const analysisProcessor: ProcessorFactory = (ctx) => async (job) => {
  const { projectId, musicKey } = job.data as { projectId: string; musicKey: string };
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  return runAnalysis(ctx, projectId, musicKey, lastAttempt);
};
