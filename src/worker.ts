import 'dotenv/config';
import { Worker } from 'bullmq';
import { accountProcessor, accountTasks } from './account/jobs.js';
import { adminSessionTasks } from './admin/admin-session.js';
import { draftProcessor, draftTasks } from './drafts/jobs.js';
import { exportProcessor } from './export/jobs.js';
import { exportDispatchTasks } from './export/dispatch.js';
import { storageSizeTasks } from './limits/backfill.js';
import { generationProcessor, generationTasks } from './generation/jobs.js';
import { shutdownProviders } from './generation/providers/index.js';
import { analysisProcessor } from './beats/jobs.js';
import { closeAnalysisPool } from './beats/dsp/pool.js';
import type { AppContext } from './platform/context.js';
import type { PeriodicTask, ProcessorSpec } from './platform/jobs.js';
import { failedForGood, recordJobFailure } from './platform/job-retry.js';
import { observeJobWait } from './platform/metrics.js';
import { redisOptions } from './platform/redis.js';
import { sessionTasks } from './platform/session-store.js';
import { editLogTasks } from './undo/purge.js';

/** The one list of job processors. */
export const processors: ProcessorSpec[] = [
  // Generation jobs spend their life delayed between polls, so many can be in flight per slot.
  { queue: 'generation', concurrency: 20, make: generationProcessor },
  // Free drafts render here, on their own queue, so they never wait behind (or delay) paid generations.
  { queue: 'drafts', concurrency: 2, make: draftProcessor },
  // One render per worker process; a person has at most one export in the queue (src/export/dispatch.ts).
  { queue: 'export', concurrency: 1, make: exportProcessor },
  { queue: 'analysis', concurrency: 2, make: analysisProcessor },
  { queue: 'account', concurrency: 1, make: accountProcessor },
];

export const periodicTasks: PeriodicTask[] = [...generationTasks, ...draftTasks, ...sessionTasks, ...adminSessionTasks, ...storageSizeTasks, ...accountTasks, ...editLogTasks, ...exportDispatchTasks];

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Run the periodic tasks (the sweeper) in this process; default true. */
  periodic?: boolean;
  /** How long a job stays locked to a worker that stopped answering (it died) before another takes it. */
  lockDurationMs?: number;
}

export function startWorkers(ctx: AppContext, opts: WorkerOptions = {}): RunningWorkers {
  const connection = { ...redisOptions(ctx.config.REDIS_URL), maxRetriesPerRequest: null };
  const lockDuration = opts.lockDurationMs ?? 30_000;
  const workers = processors.map((spec) => {
    const handle = spec.make(ctx);
    const worker = new Worker(spec.queue, (job, token) => {
      observeJobWait(spec.queue, job);
      return handle(job, token);
    }, {
      connection,
      prefix: ctx.config.QUEUE_PREFIX,
      concurrency: spec.concurrency,
      // A job whose worker died (SIGKILL) is handed to another worker after the lock expires.
      lockDuration,
      stalledInterval: lockDuration / 2,
      maxStalledCount: 5,
    });
    worker.on('failed', (job, err) => {
      if (!job) return ctx.logger.error({ queue: spec.queue, err }, 'job failed');
      const final = failedForGood(job, err);
      ctx.logger.error({ queue: spec.queue, jobId: job.id, attempt: job.attemptsMade, final, err }, final ? 'job failed for good' : 'job failed; BullMQ tries it again');
      if (final) {
        recordJobFailure(ctx.db, spec.queue, job, err).catch((e) => ctx.logger.error({ queue: spec.queue, jobId: job.id, err: e }, 'job failure not recorded'));
      }
    });
    worker.on('error', (err) => ctx.logger.warn({ queue: spec.queue, err: err.message }, 'worker connection error'));
    return worker;
  });

  const timers = opts.periodic === false ? [] : periodicTasks.map((task) => {
    let running = false;
    const timer = setInterval(async () => {
      if (running) return;
      running = true;
      try {
        await task.run(ctx);
      } catch (err) {
        ctx.logger.warn({ task: task.name, err }, 'periodic task failed');
      } finally {
        running = false;
      }
    }, task.everyMs);
    timer.unref();
    return timer;
  });

  return {
    workers,
    async close() {
      timers.forEach(clearInterval);
      // close() lets running jobs finish; step jobs release their slot quickly by design.
      await Promise.all(workers.map((w) => w.close()));
      // Local renders outlive their step jobs: stop them so their leases free up for another worker.
      shutdownProviders(ctx);
      // After the workers: a running analysis finishes on its thread before the pool stops.
      await closeAnalysisPool();
    },
  };
}
