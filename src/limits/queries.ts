import { sql } from 'kysely';
import type { Conn, Tx } from '../platform/db.js';

/**
 * Bytes a person stores: images and thumbnails, clip videos, music, exports, as recorded on the rows
 * that name them (an export whose file was replaced names none). Triggers keep the total on the
 * person's row (migration 0014); a size not recorded yet counts as 0 until the backfill records it.
 */
export async function storageUsedBytes(db: Conn, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('storage_bytes').where('id', '=', userId).executeTakeFirst();
  return row?.storage_bytes ?? 0;
}

/** Locks the person's row: quota and cap checks that count then insert run one at a time per person. */
export async function lockUser(tx: Tx, userId: string): Promise<void> {
  await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
}

export async function countProjects(db: Conn, userId: string): Promise<number> {
  const row = await db.selectFrom('projects').select(sql<number>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return row.n;
}

export async function countClipsInProject(db: Conn, projectId: string): Promise<number> {
  const row = await db.selectFrom('clips').select(sql<number>`count(*)`.as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow();
  return row.n;
}

/** Rows whose object sizes were never recorded (before migration 0010), a batch at a time. */
export async function clipsWithoutSizes(db: Conn, limit: number) {
  return db
    .selectFrom('clips')
    .select(['id', 'image_key', 'thumb_key', 'image_bytes'])
    .where('image_bytes', 'is', null)
    .limit(limit)
    .execute();
}

export async function projectsWithoutMusicSize(db: Conn, limit: number) {
  return db.selectFrom('projects').select(['id', 'music_key']).where('music_key', 'is not', null).where('music_bytes', 'is', null).limit(limit).execute();
}

/** Records sizes only for the objects the row still names (a newer upload may have replaced them). */
export async function setClipSizes(db: Conn, clipId: string, sizes: { imageKey: string; imageBytes: number }) {
  await db.updateTable('clips').set({ image_bytes: sizes.imageBytes }).where('id', '=', clipId).where('image_key', '=', sizes.imageKey).where('image_bytes', 'is', null).execute();
}

export async function setMusicSize(db: Conn, projectId: string, musicKey: string, bytes: number) {
  await db.updateTable('projects').set({ music_bytes: bytes }).where('id', '=', projectId).where('music_key', '=', musicKey).where('music_bytes', 'is', null).execute();
}

/** The size of the person's project's current track (0: none, or not recorded yet). */
export async function projectMusicBytes(db: Conn, userId: string, projectId: string): Promise<number> {
  const row = await db.selectFrom('projects').select('music_bytes').where('id', '=', projectId).where('user_id', '=', userId).where('music_key', 'is not', null).executeTakeFirst();
  return row?.music_bytes ?? 0;
}

// The quota backfill (backfill.ts): take videos stored before their sizes were recorded.

/** Takes whose videos were stored before sizes were recorded, a batch at a time (the quota backfill). */
export async function takesWithoutSizes(db: Conn, limit: number) {
  return db.selectFrom('takes').select(['id', 'video_key']).where('video_key', 'is not', null).where('video_bytes', 'is', null).limit(limit).execute();
}

export async function setTakeSize(db: Conn, takeId: string, videoKey: string, bytes: number): Promise<void> {
  await db.updateTable('takes').set({ video_bytes: bytes }).where('id', '=', takeId).where('video_key', '=', videoKey).where('video_bytes', 'is', null).execute();
}
