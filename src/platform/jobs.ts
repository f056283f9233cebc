import type { Job } from 'bullmq';
import type { AppContext } from './context.js';
import type { QueueName } from './queues.js';

/** A feature's job processor: gets the shared context, returns BullMQ's processor function. */
export type ProcessorFactory = (ctx: AppContext) => (job: Job, token?: string) => Promise<unknown>;

export interface ProcessorSpec {
  queue: QueueName;
  concurrency: number;
  make: ProcessorFactory;
}

/** A periodic task run by every worker process (work must be safe to run concurrently). */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run: (ctx: AppContext) => Promise<void>;
}
