import type { ProcessorFactory } from '../platform/jobs.js';

// Placeholder: the export feature provides its processor here.
export const exportProcessor: ProcessorFactory = (ctx) => async (job) => {
  ctx.logger.warn({ jobId: job.id }, 'export processor not implemented');
};
