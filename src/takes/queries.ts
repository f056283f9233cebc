import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { ClipStatus } from '../platform/db-types.js';

// Every query on takes: the videos made from a clip's photo (design.md, migration 0017).

/** The take of an AI attempt, written when the attempt is charged (queued). */
export async function insertAiTake(db: Conn, t: { clip_id: string; user_id: string; attempt: number; prompt: string; provider: string | null; model: string | null; duration_s: number; credits_spent: number; motion?: string | null }) {
  return db.insertInto('takes').values({ ...t, kind: 'ai', status: 'queued' }).returningAll().executeTakeFirstOrThrow();
}

/** A free draft take, queued for the local motion render. */
export async function insertDraftTake(db: Conn, t: { clip_id: string; user_id: string; duration_s: number; motion?: string | null }) {
  return db.insertInto('takes').values({ ...t, kind: 'draft', status: 'queued', provider: 'local' }).returningAll().executeTakeFirstOrThrow();
}

/** The AI attempt's take moves with the clip's pipeline (generating). */
export async function markAttemptTake(db: Conn, clipId: string, attempt: number, status: Extract<ClipStatus, 'generating'>): Promise<void> {
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

/** Takes whose videos were stored before sizes were recorded, a batch at a time (the quota backfill). */
export async function takesWithoutSizes(db: Conn, limit: number) {
  return db.selectFrom('takes').select(['id', 'video_key']).where('video_key', 'is not', null).where('video_bytes', 'is', null).limit(limit).execute();
}

export async function setTakeSize(db: Conn, takeId: string, videoKey: string, bytes: number): Promise<void> {
  await db.updateTable('takes').set({ video_bytes: bytes }).where('id', '=', takeId).where('video_key', '=', videoKey).where('video_bytes', 'is', null).execute();
}

/** The length of the chosen take's video in the film: the real one received, else the one asked for. */
export const takeLengthS = sql<number>`coalesce(takes.video_duration_s, takes.duration_s)`;
