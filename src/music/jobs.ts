import type { ProcessorFactory } from '../platform/jobs.js';

// Placeholder: the music feature provides its beat-analysis processor here.
export const analysisProcessor: ProcessorFactory = (ctx) => async (job) => {
  ctx.logger.warn({ jobId: job.id }, 'analysis processor not implemented');
};
