import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import { takeLengthS } from '../takes/queries.js';

/**
 * What the players show: approved clips with their chosen take's video, in the creator's order. A
 * clip being regenerated (or whose regeneration failed) keeps its chosen take, so the film keeps it.
 */
export async function listPlayableClips(db: Conn, projectId: string) {
  return db
    .selectFrom('clips')
    .innerJoin('takes', 'takes.id', 'clips.take_id')
    .select(['clips.id', 'clips.image_key', 'clips.thumb_key', 'clips.position', 'takes.kind as take_kind', 'clips.trim_in_s', 'clips.trim_out_s', takeLengthS.as('duration_s')])
    .select(sql<string>`takes.video_key`.as('video_key'))
    .where('clips.project_id', '=', projectId)
    .where('clips.approved', '=', true)
    .where('takes.video_key', 'is not', null)
    .orderBy('clips.position')
    .orderBy('clips.created_at')
    .orderBy('clips.id')
    .execute();
}

export type PlayableClip = Awaited<ReturnType<typeof listPlayableClips>>[number];
