import type { Job } from 'bullmq';
import type { Conn } from './db.js';

/**
 * Failures of ours (storage or Redis away, the database, a crash, a timeout) are tried again by
 * BullMQ: three tries, 2 s then 4 s apart. A problem the person can fix never throws: the job
 * records what to change and ends, so it is never retried (docs/decisions/0027-jobs-retry-failures-of-ours.md).
 */
export const RETRY_OURS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 } } as const;

/** The error_code of a row (a clip) whose job failed on our side and is being tried again: not an error yet. */
export const RETRYING_CODE = 'RETRYING';

/** What the person reads while a job of theirs waits for, or runs, another try after a failure of ours. */
export const RETRYING_MESSAGE = 'Something went wrong on our side, so we are trying again automatically. There is nothing you need to do.';

/**
 * What the person reads when the last try failed on our side: plainly ours, nothing to change, and
 * no "try again" (the same request would fail the same way). `what` starts the sentence: "We could
 * not analyse this track".
 */
export function gaveUpMessage(what: string): string {
  return `${what} because of a problem on our side, and trying again automatically did not fix it. Nothing you did caused it, and our team has been alerted.`;
}

/** Whether this run is the job's last try (a failure now is final). */
export function isLastTry(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Called by the worker on every failed run: true once BullMQ will not try the job again. */
export function failedForGood(job: Pick<Job, 'attemptsMade' | 'opts'>, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keeps a job that gave up for /admin/jobs; the person is found by the job's `userId`, when it names one. */
export async function recordJobFailure(db: Conn, queue: string, job: Pick<Job, 'name' | 'id' | 'data' | 'attemptsMade'>, err: Error): Promise<void> {
  const named = (job.data as { userId?: unknown } | undefined)?.userId;
  const row = (userId: string | null) => ({
    queue,
    job_name: job.name,
    job_id: String(job.id ?? ''),
    user_id: userId,
    attempts: job.attemptsMade,
    error: `${err.name}: ${err.message}`.slice(0, 2000),
  });
  const userId = typeof named === 'string' && UUID.test(named) ? named : null;
  try {
    await db.insertInto('job_failures').values(row(userId)).execute();
  } catch (e) {
    // The person is gone by now (account deleted): the failure is still worth listing.
    if (userId && (e as { code?: string }).code === '23503') await db.insertInto('job_failures').values(row(null)).execute();
    else throw e;
  }
}
