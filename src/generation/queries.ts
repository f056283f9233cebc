import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import { RETRYING_CODE } from '../platform/job-retry.js';

const UNFINISHED = ['queued', 'generating'] as const;

export async function findClipById(db: Conn, clipId: string) {
  return db.selectFrom('clips').selectAll().where('id', '=', clipId).executeTakeFirst();
}

/**
 * Takes the right to submit this attempt: a queued clip, or one whose earlier submitter vanished
 * before recording a task (claimed before `staleBefore`). Only one caller can win.
 */
export async function claimForSubmit(db: Conn, clipId: string, attempt: number, staleBefore: Date) {
  return db
    .updateTable('clips')
    .set({ status: 'generating', submitted_at: new Date(), progress: 0, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('provider_task_id', 'is', null)
    .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'generating'), eb('submitted_at', '<', staleBefore)])]))
    .returningAll()
    .executeTakeFirst();
}

/** Gives the claim back after a submit that created no task, so a retry can submit at once. */
export async function releaseClaim(db: Conn, clipId: string, attempt: number): Promise<void> {
  await db
    .updateTable('clips')
    .set({ status: 'queued', submitted_at: null, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', '=', 'generating')
    .where('provider_task_id', 'is', null)
    .execute();
}

/** Records the provider's task id; false when the clip was cancelled, deleted or regenerated meanwhile. */
export async function recordTask(db: Conn, clipId: string, attempt: number, taskId: string): Promise<boolean> {
  const row = await db
    .updateTable('clips')
    .set({ provider_task_id: taskId, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', '=', 'generating')
    .where('provider_task_id', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return Boolean(row);
}

export async function saveProgress(db: Conn, clipId: string, attempt: number, progress: number): Promise<void> {
  await db
    .updateTable('clips')
    .set({ progress, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', '=', 'generating')
    .execute();
}

/** The attempt, locked, while it is still unfinished; undefined once it has ended either way. */
export async function lockUnfinished(db: Conn, clipId: string, attempt: number) {
  return db
    .selectFrom('clips')
    .selectAll()
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', 'in', UNFINISHED)
    .forUpdate()
    .executeTakeFirst();
}

/** The attempt ended with a video; the film uses its take (`takeId`) from now on. */
export async function markReady(db: Conn, clipId: string, takeId: string): Promise<void> {
  await db
    .updateTable('clips')
    .set({ status: 'ready', take_id: takeId, progress: 1, finished_at: new Date(), updated_at: new Date(), error_code: null, error_message: null, error_detail: null })
    .where('id', '=', clipId)
    .execute();
}

/** Marks an unfinished attempt as being retried on our side (BullMQ tries its job again); cleared when it ends. */
export async function markRetrying(db: Conn, clipId: string, attempt: number, note: string): Promise<void> {
  await db
    .updateTable('clips')
    .set({ error_code: RETRYING_CODE, error_message: note, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', 'in', ['queued', 'generating'])
    .execute();
}

export async function markError(db: Conn, clipId: string, f: { code: string; message: string; detail?: string }): Promise<void> {
  await db
    .updateTable('clips')
    .set({ status: 'error', error_code: f.code.slice(0, 100), error_message: f.message, error_detail: f.detail?.slice(0, 2000) ?? null, finished_at: new Date(), updated_at: new Date() })
    .where('id', '=', clipId)
    .execute();
}

/** Unfinished clips untouched for a while: candidates for the sweeper to check their job. */
export async function findUnfinishedBefore(db: Conn, before: Date, limit: number) {
  return db
    .selectFrom('clips')
    .select(['id', 'attempt', 'status', 'request_id'])
    .where('status', 'in', UNFINISHED)
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Moves a clip's timestamp so the sweeper does not look at it again at once. */
export async function touchClip(db: Conn, clipId: string): Promise<void> {
  await db.updateTable('clips').set({ updated_at: sql`now()` }).where('id', '=', clipId).execute();
}

// Every try to start an attempt at a provider (queries): the admin's record of who ran it and why a
// failover happened, and of a submitter that vanished between the provider's answer and our record.

export async function startSubmission(db: Conn, row: { clip_id: string; attempt: number; provider: string; model: string | null }): Promise<string> {
  const r = await db.insertInto('provider_submissions').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function finishSubmission(db: Conn, id: string, f: { status: 'accepted' | 'refused'; task_id?: string; reason?: string; detail?: string }): Promise<void> {
  await db
    .updateTable('provider_submissions')
    .set({ status: f.status, task_id: f.task_id ?? null, reason: f.reason ?? null, detail: f.detail?.slice(0, 1000) ?? null, finished_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** A try that never reached the provider (breaker open, marked down): recorded as refused at once. */
export async function recordSkipped(db: Conn, row: { clip_id: string; attempt: number; provider: string; model: string | null; reason: string }): Promise<void> {
  await db.insertInto('provider_submissions').values({ ...row, status: 'refused', finished_at: new Date() }).execute();
}

/**
 * Submissions of this attempt still `submitting`: their worker died before recording the answer.
 * A generation may exist at the provider that nobody follows; the admin sees them as `vanished`.
 */
export async function markVanished(db: Conn, clipId: string, attempt: number): Promise<number> {
  const rows = await db
    .updateTable('provider_submissions')
    .set({ status: 'vanished', reason: 'submitter_died', detail: 'The worker stopped after sending the request and before recording the answer: the provider may have started a generation Echoes does not follow.', finished_at: new Date() })
    .where('clip_id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', '=', 'submitting')
    .returning('id')
    .execute();
  return rows.length;
}

/** Moves an unsubmitted attempt to the fallback provider, once (never after a task id exists). */
export async function switchProvider(db: Conn, clipId: string, attempt: number, to: { provider: string; model: string; from: string; reason: string }) {
  return db
    .updateTable('clips')
    .set({ provider: to.provider, model: to.model, failover_from: to.from, failover_reason: to.reason, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', '=', 'generating')
    .where('provider_task_id', 'is', null)
    .where('failover_from', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** The unfinished attempt following this provider task (the Luma callback's lookup). */
export async function findUnfinishedByTask(db: Conn, provider: string, taskId: string) {
  return db
    .selectFrom('clips')
    .select(['id', 'attempt', 'status'])
    .where('provider', '=', provider)
    .where('provider_task_id', '=', taskId)
    .where('status', 'in', UNFINISHED)
    .executeTakeFirst();
}

/** What a clip's next attempt is: its number, route, charge and direction. */
export interface AttemptRow {
  attempt: number;
  provider: string;
  model: string;
  creditsSpent: number;
  requestId: string | null;
  prompt: string;
  durationS: number;
  motion: string | null;
  endImageKey: string | null;
}

/** A finished clip starts its next attempt: charged already by the caller, queued here. */
export async function startNextAttempt(db: Conn, clipId: string, next: AttemptRow) {
  return db
    .updateTable('clips')
    .set({
      status: 'queued',
      attempt: next.attempt,
      prompt: next.prompt,
      duration_s: next.durationS,
      motion: next.motion,
      end_image_key: next.endImageKey,
      provider: next.provider,
      model: next.model,
      provider_task_id: null,
      failover_from: null,
      failover_reason: null,
      progress: 0,
      error_code: null,
      error_message: null,
      error_detail: null,
      credits_spent: next.creditsSpent,
      request_id: next.requestId,
      submitted_at: null,
      finished_at: null,
      updated_at: new Date(),
    })
    .where('id', '=', clipId)
    .where('status', 'in', ['ready', 'error', 'draft'])
    .returningAll()
    .executeTakeFirst();
}
