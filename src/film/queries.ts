import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import { takeLengthS } from '../takes/queries.js';
import type { TransitionSpec } from './transition.js';

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

/** Each clip's transition into the next (the clip's own columns), by clip id. */
export async function transitionsOf(db: Conn, clipIds: string[]) {
  if (clipIds.length === 0) return new Map<string, TransitionSpec>();
  const rows = await db.selectFrom('clips').select(['id', 'transition_kind', 'transition_s', 'transition_beats']).where('id', 'in', clipIds).execute();
  // The column defaults (a crossfade of no set length) are the film-wide crossfade: no spec.
  const set = rows.filter((r) => r.transition_kind !== 'crossfade' || r.transition_s !== null || r.transition_beats !== null);
  return new Map<string, TransitionSpec>(set.map((r) => [r.id, { kind: r.transition_kind, s: r.transition_s, beats: r.transition_beats }]));
}
