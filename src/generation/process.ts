import { DelayedError, type Job } from 'bullmq';
import type { AppContext } from '../platform/context.js';
import { isLastTry, RETRYING_MESSAGE } from '../platform/job-retry.js';
import type { Clip } from '../platform/db-types.js';
import type { Logger } from '../platform/logger.js';
import { getSettings } from '../settings/service.js';
import { downloadToStorage } from './download.js';
import { outputPolicy } from './output-url.js';
import { videoKeyFor } from './video-key.js';
import { describeProviderError, describeTaskFailure, MESSAGES, type Failure } from './messages.js';
import { providerFor, ProviderError, type Provider } from './providers/index.js';
import * as q from './queries.js';
import { markAttemptTake } from '../takes/queries.js';
import { asProviderError, startAttempt } from './submit.js';
import { probeStoredDuration } from './video-duration.js';
import { completeGeneration, failGeneration, type GenerationJobData } from './service.js';

/** A claim older than this without a recorded task means its submitter died: submit again. */
const SUBMIT_STALE_MS = 2 * 60_000;
/** Consecutive retryable provider failures before the generation is given up (and refunded). */
const MAX_FAILURES = 6;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface ProcessorHooks {
  /** Tests: runs right after the task id is recorded (simulate a crash there). */
  afterSubmit?: (clipId: string, taskId: string) => Promise<void> | void;
}

/** Spec: never poll more often than the interval; jitter only adds (0–30%). */
export function pollDelay(intervalMs: number): number {
  return Math.round(intervalMs * (1 + Math.random() * 0.3));
}

/**
 * BullMQ's "process step jobs" pattern: each run does one step (submit, or one poll) from the clip
 * row's state, then parks the job in the delayed set and gives its worker slot back.
 */
export function makeGenerationProcessor(ctx: AppContext, hooks: ProcessorHooks = {}) {
  const settings = () => getSettings(ctx.db); // kept in memory by the settings service

  return async (job: Job<GenerationJobData>, token?: string): Promise<string> => {
    const { clipId, attempt } = job.data;
    const clip = await q.findClipById(ctx.db, clipId);
    const log = ctx.logger.child({ clipId, requestId: clip?.request_id ?? undefined, jobId: job.id, attempt });
    if (!clip || clip.attempt !== attempt) {
      log.info('clip deleted or regenerated; nothing to do');
      return 'stale';
    }
    if (clip.status === 'ready' || clip.status === 'error') {
      // Ended from outside (cancel) while a task ran: make sure the provider stops too.
      if (clip.status === 'error' && clip.provider_task_id) await cancelQuietly(ctx, clip, log);
      return clip.status;
    }

    const park = async (ms: number, data: Partial<GenerationJobData>): Promise<never> => {
      await job.updateData({ ...job.data, ...data });
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    };
    const end = async (failure: Failure, outcome = 'error') => {
      const ended = await failGeneration(ctx, clipId, attempt, failure, outcome);
      if (ended) log.warn({ code: failure.code, detail: failure.detail, outcome }, 'generation failed; credits refunded');
      return 'error';
    };

    // A provider this process cannot build (its key was removed) may still fail over at submit.
    let provider: Provider | undefined;
    try {
      provider = providerFor(ctx, clip.provider);
    } catch (err) {
      if (clip.provider_task_id) return end({ code: asProviderError(err).code, message: MESSAGES.unavailable, detail: (err as Error).message });
    }
    const intervalMs = () => provider?.pollIntervalMs ?? ctx.config.RUNWAY_POLL_INTERVAL_MS;

    try {
      if (!clip.provider_task_id) {
        const s = await settings();
        const claimed = await q.claimForSubmit(ctx.db, clipId, attempt, new Date(Date.now() - SUBMIT_STALE_MS));
        if (!claimed) return await park(pollDelay(intervalMs()), { step: 'submit' });
        await markAttemptTake(ctx.db, clipId, attempt, 'generating');
        let started: Awaited<ReturnType<typeof startAttempt>>;
        try {
          started = await startAttempt(ctx, claimed, s, log);
        } catch (err) {
          await q.releaseClaim(ctx.db, clipId, attempt);
          throw err;
        }
        const { taskId } = started;
        provider = started.provider;
        try {
          if (!(await q.recordTask(ctx.db, clipId, attempt, taskId))) {
            log.warn({ taskId }, 'clip ended while submitting; cancelling the new task');
            await provider.cancel(taskId, log).catch(() => {});
            return 'abandoned';
          }
        } catch (err) {
          await provider.cancel(taskId, log).catch(() => {}); // unrecorded: do not leave it running
          throw err;
        }
        log.info({ taskId, provider: provider.name }, 'generation submitted');
        await hooks.afterSubmit?.(clipId, taskId);
        return await park(pollDelay(provider.pollIntervalMs), { step: 'poll', failures: 0, timeoutMin: s.generationTimeoutMin });
      }
      return await poll(clip, provider!, log, park, end, job.data.timeoutMin ?? (await settings()).generationTimeoutMin);
    } catch (err) {
      // Our own failures (database, Redis) go to BullMQ's retries; provider trouble has a budget here.
      if (!(err instanceof ProviderError)) {
        if (!isLastTry(job)) {
          // The card says it is being retried on our side (not "failed"); best effort: the database may be what failed.
          await q.markRetrying(ctx.db, clipId, attempt, RETRYING_MESSAGE).catch(() => {});
          throw err;
        }
        log.error({ err }, 'generation failed on our side after its last try');
        // The row read at the start predates this run's submit: read it again, so a task recorded
        // just before the failure is cancelled too, not left running (and billed) at the provider.
        const latest = (await q.findClipById(ctx.db, clipId).catch(() => undefined)) ?? clip;
        if (latest.provider_task_id && latest.attempt === attempt) await cancelQuietly(ctx, latest, log);
        return end({ code: 'OURS', message: MESSAGES.ours, detail: (err as Error).message });
      }
      const pe = err;
      const failures = (job.data.failures ?? 0) + 1;
      if (!pe.retryable || failures >= MAX_FAILURES) {
        if (clip.provider_task_id) await cancelQuietly(ctx, clip, log);
        return end(describeProviderError(pe));
      }
      const wait = Math.min(MAX_BACKOFF_MS, Math.max(pe.retryAfterMs ?? 0, intervalMs() * 2 ** failures));
      log.warn({ err: pe.message, failures, waitMs: wait }, 'provider call failed; trying again later');
      return await park(wait, { failures });
    }
  };

  async function poll(
    clip: Clip,
    provider: Provider,
    log: Logger,
    park: (ms: number, data: Partial<GenerationJobData>) => Promise<never>,
    end: (f: Failure, outcome?: string) => Promise<string>,
    timeoutMin: number,
  ): Promise<string> {
    const taskId = clip.provider_task_id!;
    if (clip.submitted_at && Date.now() - clip.submitted_at.getTime() > timeoutMin * 60_000) {
      await cancelQuietly(ctx, clip, log);
      return end({ code: 'TIMEOUT', message: MESSAGES.timeout, detail: `no result ${timeoutMin} min after submitting task ${taskId}` }, 'timeout');
    }
    const st = await wrap(() => provider.status(taskId, log));
    if (st.state === 'pending' || st.state === 'running') {
      const progress = Math.min(0.99, st.progress ?? 0);
      if (progress - clip.progress >= 0.01) {
        await q.saveProgress(ctx.db, clip.id, clip.attempt, progress);
      }
      return park(pollDelay(provider.pollIntervalMs), { step: 'poll', failures: 0 });
    }
    if (st.state === 'succeeded') {
      const key = videoKeyFor(clip, clip.attempt);
      if (st.outputUrl) {
        await wrap(() => downloadToStorage(ctx.storage, st.outputUrl!, key, outputPolicy(ctx.config, provider.name)));
      } else if (st.outputKey !== key) throw new ProviderError(`task ${taskId} succeeded without an output`, false, 'NO_OUTPUT');
      // The video's real length, not the one asked for (Luma's 10 s is 9 s).
      const durationS = await probeStoredDuration(ctx, key, log);
      const done = await completeGeneration(ctx, clip.id, clip.attempt, key, durationS);
      log.info({ taskId, stored: done }, done ? 'generation ready' : 'generation finished after the clip ended; video dropped');
      return 'ready';
    }
    if (st.state === 'cancelled') return end({ code: 'CANCELLED', message: MESSAGES.providerCancelled, detail: `task ${taskId} cancelled at the provider` });
    return end(describeTaskFailure(st.failureCode, st.failure));
  }
}

/** Any failure inside a provider call (storage reads, unexpected bugs too) counts against the budget. */
async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asProviderError(err);
  }
}

async function cancelQuietly(ctx: AppContext, clip: Clip, log: Logger): Promise<void> {
  try {
    await providerFor(ctx, clip.provider).cancel(clip.provider_task_id!, log);
  } catch (err) {
    log.warn({ err: (err as Error).message, taskId: clip.provider_task_id }, 'could not cancel the task at the provider');
  }
}
