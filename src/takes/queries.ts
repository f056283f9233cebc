import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { TakeStatus } from '../platform/db-types.js';
import { isUuid } from '../platform/ids.js';

// Every query on takes: the videos made from a clip's photo (design.md, migration 0017).

/** The take of an AI attempt, written when the attempt is charged (queued). */
export async function insertAiTake(db: Conn, t: { clip_id: string; user_id: string; attempt: number; prompt: string; provider: string | null; model: string | null; duration_s: number; credits_spent: number; motion?: string | null; end_image_key?: string | null }) {
  return db.insertInto('takes').values({ ...t, kind: 'ai', status: 'queued' }).returningAll().executeTakeFirstOrThrow();
}

/**
 * The paid versions queued behind the clip's current attempt (a "2 versions" direction makes them
 * one after the other), in the order they will run.
 */
export async function queuedVersionsAfter(db: Conn, clipId: string, attempt: number) {
  return db
    .selectFrom('takes')
    .selectAll()
    .where('clip_id', '=', clipId)
    .where('kind', '=', 'ai')
    .where('status', '=', 'queued')
    .where('attempt', '>', attempt)
    .orderBy('attempt')
    .execute();
}

/** The highest attempt number any of the clip's takes holds (0: none). */
export async function lastAttempt(db: Conn, clipId: string): Promise<number> {
  const row = await db.selectFrom('takes').select((eb) => eb.fn.max<number | null>('attempt').as('n')).where('clip_id', '=', clipId).executeTakeFirst();
  return row?.n ?? 0;
}

/** A free draft take, queued for the local motion render. */
export async function insertDraftTake(db: Conn, t: { clip_id: string; user_id: string; duration_s: number; motion?: string | null }) {
  return db.insertInto('takes').values({ ...t, kind: 'draft', status: 'queued', provider: 'local' }).returningAll().executeTakeFirstOrThrow();
}

/** The AI attempt's take moves with the clip's pipeline (generating). */
export async function markAttemptTake(db: Conn, clipId: string, attempt: number, status: Extract<TakeStatus, 'generating'>): Promise<void> {
  await db.updateTable('takes').set({ status }).where('clip_id', '=', clipId).where('attempt', '=', attempt).where('status', 'in', ['queued', 'generating']).execute();
}

/**
 * The attempt's take with its stored video, ready. Upserted, so an attempt started before takes
 * existed (or whose row is missing) still ends as a take. Returns the take's id.
 */
export async function completeAttemptTake(
  db: Conn,
  clip: { id: string; user_id: string; attempt: number; prompt: string; provider: string | null; model: string | null; duration_s: number; credits_spent: number },
  video: { key: string; bytes: number | null; durationS: number | null },
): Promise<string> {
  const row = await db
    .insertInto('takes')
    .values({
      clip_id: clip.id, user_id: clip.user_id, kind: 'ai', status: 'ready', attempt: clip.attempt, prompt: clip.prompt, provider: clip.provider, model: clip.model,
      duration_s: clip.duration_s, credits_spent: clip.credits_spent, video_key: video.key, video_bytes: video.bytes, video_duration_s: video.durationS, finished_at: new Date(),
    })
    .onConflict((oc) =>
      oc.columns(['clip_id', 'attempt']).where('attempt', 'is not', null).doUpdateSet({
        status: 'ready', provider: clip.provider, model: clip.model, video_key: video.key, video_bytes: video.bytes, video_duration_s: video.durationS,
        error_code: null, error_message: null, finished_at: new Date(),
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The attempt's take ended without a video (failed, timed out, cancelled). */
export async function failAttemptTake(db: Conn, clipId: string, attempt: number, f: { code: string; message: string }): Promise<void> {
  await db
    .updateTable('takes')
    .set({ status: 'error', error_code: f.code.slice(0, 100), error_message: f.message, finished_at: new Date() })
    .where('clip_id', '=', clipId)
    .where('attempt', '=', attempt)
    .where('status', 'in', ['queued', 'generating'])
    .execute();
}

/** The film uses this take from now on. */
export async function chooseTake(db: Conn, clipId: string, takeId: string): Promise<void> {
  await db.updateTable('clips').set({ take_id: takeId, updated_at: new Date() }).where('id', '=', clipId).execute();
}

/** Every stored video of the clip (all its takes): what deleting the clip must remove. */
export async function takeVideoKeys(db: Conn, clipId: string): Promise<string[]> {
  const rows = await db.selectFrom('takes').select('video_key').where('clip_id', '=', clipId).where('video_key', 'is not', null).execute();
  return rows.map((r) => r.video_key!);
}

export async function findTake(db: Conn, takeId: string) {
  return db.selectFrom('takes').selectAll().where('id', '=', takeId).executeTakeFirst();
}

/** A clip's takes, newest first. */
export async function listTakes(db: Conn, clipId: string) {
  return db.selectFrom('takes').selectAll().where('clip_id', '=', clipId).orderBy('created_at', 'desc').orderBy('id').execute();
}

/** The length of the chosen take's video in the film: the real one received, else the one asked for. */
export const takeLengthS = sql<number>`coalesce(takes.video_duration_s, takes.duration_s)`;

// Drafts: free takes from the local motion render, on their own queue (src/drafts).

/** The draft with what rendering it needs from its clip; undefined when the clip (or take) is gone. */
export async function findDraftToRender(db: Conn, takeId: string) {
  return db
    .selectFrom('takes')
    .innerJoin('clips', 'clips.id', 'takes.clip_id')
    .select(['takes.id', 'takes.status', 'takes.duration_s', 'takes.clip_id', 'takes.user_id', 'clips.project_id', 'clips.image_key', 'clips.ratio'])
    .where('takes.id', '=', takeId)
    .where('takes.kind', '=', 'draft')
    .executeTakeFirst();
}

/** Marks the draft rendering; false when it has already ended (or is gone). */
export async function claimDraft(db: Conn, takeId: string): Promise<boolean> {
  const row = await db.updateTable('takes').set({ status: 'generating' }).where('id', '=', takeId).where('status', 'in', ['queued', 'generating']).returning('id').executeTakeFirst();
  return Boolean(row);
}

/**
 * The draft is ready with its video. The film uses it when the clip has no take yet or uses a draft
 * (a newer draft replaces an older one); an AI take the clip uses stays. Returns the take's clip
 * ids, or undefined when the draft ended or was deleted meanwhile.
 */
export async function completeDraft(db: Conn, takeId: string, video: { key: string; bytes: number | null; durationS: number | null }) {
  const take = await db
    .updateTable('takes')
    .set({ status: 'ready', video_key: video.key, video_bytes: video.bytes, video_duration_s: video.durationS, finished_at: new Date() })
    .where('id', '=', takeId)
    .where('status', 'in', ['queued', 'generating'])
    .returning(['clip_id', 'user_id'])
    .executeTakeFirst();
  if (!take) return undefined;
  const clip = await db
    .updateTable('clips')
    .set({ take_id: takeId, updated_at: new Date() })
    .where('id', '=', take.clip_id)
    .where((eb) => eb.or([eb('take_id', 'is', null), eb('take_id', 'in', eb.selectFrom('takes').select('id').where('clip_id', '=', take.clip_id).where('kind', '=', 'draft'))]))
    .returning(['id', 'user_id', 'project_id'])
    .executeTakeFirst();
  if (clip) return clip;
  return db.selectFrom('clips').select(['id', 'user_id', 'project_id']).where('id', '=', take.clip_id).executeTakeFirst();
}

export async function failDraft(db: Conn, takeId: string, f: { code: string; message: string }) {
  const take = await db
    .updateTable('takes')
    .set({ status: 'error', error_code: f.code.slice(0, 100), error_message: f.message, finished_at: new Date() })
    .where('id', '=', takeId)
    .where('status', 'in', ['queued', 'generating'])
    .returning(['clip_id', 'user_id'])
    .executeTakeFirst();
  // The clip's row changes too, so its open pages hear of it (the change feed follows clip rows).
  if (take) await db.updateTable('clips').set({ updated_at: new Date() }).where('id', '=', take.clip_id).execute();
  return take;
}

/** Drafts still unfinished a while after they were asked for: the draft sweeper checks their jobs. */
export async function findUnfinishedDraftsBefore(db: Conn, before: Date, limit: number) {
  return db
    .selectFrom('takes')
    .select(['id'])
    .where('kind', '=', 'draft')
    .where('status', 'in', ['queued', 'generating'])
    .where('created_at', '<', before)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

// The creator's takes list (GET /clips/:id/takes): choosing and deleting takes.

/** The person's clip, with what its takes list needs; undefined when it is not theirs (404). */
export async function findClipOfTakes(db: Conn, userId: string, clipId: string) {
  if (!isUuid(clipId)) return undefined;
  return db
    .selectFrom('clips')
    .innerJoin('projects', 'projects.id', 'clips.project_id')
    .select(['clips.id', 'clips.user_id', 'clips.project_id', 'clips.take_id', 'clips.status', 'clips.attempt', 'clips.image_key', 'clips.thumb_key', 'clips.ratio', 'projects.title as project_title'])
    .where('clips.id', '=', clipId)
    .where('clips.user_id', '=', userId)
    .executeTakeFirst();
}

/** The clip row locked for a change of its takes (the chosen one cannot move meanwhile). */
export async function lockClipOfTakes(db: Conn, userId: string, clipId: string) {
  if (!isUuid(clipId)) return undefined;
  return db.selectFrom('clips').select(['id', 'take_id', 'project_id']).where('id', '=', clipId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

/** The take, only when it is one of this clip's. */
export async function findTakeOfClip(db: Conn, clipId: string, takeId: string) {
  if (!isUuid(takeId)) return undefined;
  return db.selectFrom('takes').selectAll().where('id', '=', takeId).where('clip_id', '=', clipId).executeTakeFirst();
}

/** The takes of these clips, newest first, each with the credits given back for it. */
/** Credits given back for a take: the refund row of its attempt, `<clip>:<attempt>`, whoever granted it. */
const refundedCredits = sql<number>`coalesce((select sum(t.amount)::int from credit_transactions t where t.type = 'refund' and t.reference_id = takes.clip_id || ':' || takes.attempt), 0)`;

export async function listTakesWithRefunds(db: Conn, clipIds: readonly string[]) {
  if (clipIds.length === 0) return [];
  return db
    .selectFrom('takes')
    .selectAll('takes')
    .select(refundedCredits.as('refunded'))
    .where('clip_id', 'in', clipIds)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

export async function deleteTakeRow(db: Conn, takeId: string): Promise<void> {
  await db.deleteFrom('takes').where('id', '=', takeId).execute();
}

export async function touchClip(db: Conn, clipId: string): Promise<void> {
  await db.updateTable('clips').set({ updated_at: new Date() }).where('id', '=', clipId).execute();
}

/** A person's newest takes across their clips, with each one's project and refund (the admin user page). */
export async function listRecentTakesOfUser(db: Conn, userId: string, limit: number) {
  return db
    .selectFrom('takes')
    .innerJoin('clips', 'clips.id', 'takes.clip_id')
    .innerJoin('projects', 'projects.id', 'clips.project_id')
    .selectAll('takes')
    .select(['projects.title as project_title', 'clips.take_id as chosen_take_id'])
    .select(refundedCredits.as('refunded'))
    .where('takes.user_id', '=', userId)
    .orderBy('takes.created_at', 'desc')
    .orderBy('takes.id')
    .limit(limit)
    .execute();
}
