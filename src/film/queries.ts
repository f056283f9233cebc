import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';

/**
 * What the players show: approved clips with a video, in the creator's order. A clip being
 * regenerated (or whose regeneration failed) still has its previous video, so the film keeps it.
 */
export async function listPlayableClips(db: Conn, projectId: string) {
  return db
    .selectFrom('clips')
    // The length of the video received (Luma's 10 s is 9 s), else the one asked for.
    .select(['id', 'video_key', 'image_key', 'thumb_key', sql<number>`coalesce(video_duration_s, duration_s)`.as('duration_s'), 'position'])
    .where('project_id', '=', projectId)
    .where('approved', '=', true)
    .where('video_key', 'is not', null)
    .orderBy('position')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export type PlayableClip = Awaited<ReturnType<typeof listPlayableClips>>[number];
