import type { PeriodicTask, ProcessorFactory } from '../platform/jobs.js';
import { makeGenerationProcessor } from './process.js';
import { sweepGenerations } from './sweeper.js';

/** One job per clip attempt, driven step by step (see process.ts). */
export const generationProcessor: ProcessorFactory = (ctx) => makeGenerationProcessor(ctx);

export const generationTasks: PeriodicTask[] = [
  {
    name: 'generation-sweeper',
    everyMs: 15_000,
    run: async (ctx) => {
      await sweepGenerations(ctx);
    },
  },
];
