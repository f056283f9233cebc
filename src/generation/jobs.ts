import type { ProcessorFactory, PeriodicTask } from '../platform/jobs.js';

// Placeholder: the generation feature provides its processor and sweeper here.
export const generationProcessor: ProcessorFactory = (ctx) => async (job) => {
  ctx.logger.warn({ jobId: job.id }, 'generation processor not implemented');
};
export const generationTasks: PeriodicTask[] = [];
