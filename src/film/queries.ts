import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { TransitionKind } from '../platform/db-types.js';
import { takeLengthS } from '../takes/queries.js';
import type { TransitionSpec } from '../transitions/kinds.js';

/**
 * What the players show and the export renders: approved clips with their chosen take's video, in
 * the creator's order. A clip being regenerated (or whose regeneration failed) keeps its chosen
 * take, so the film keeps it. The focal point is for the export's crop (src/export/focus.ts).
 */
export async function listPlayableClips(db: Conn, projectId: string) {
  return db
    .selectFrom('clips')
    .innerJoin('takes', 'takes.id', 'clips.take_id')
    .select(['clips.id', 'clips.image_key', 'clips.thumb_key', 'clips.position', 'clips.focus_x', 'clips.focus_y', 'takes.kind as take_kind', 'clips.trim_in_s', 'clips.trim_out_s', 'clips.transition_kind', 'clips.transition_s', 'clips.transition_beats', takeLengthS.as('duration_s')])
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
  return new Map(rows.map((r) => [r.id, transitionSpecOf(r)]));
}

export interface TransitionColumns {
  transition_kind: TransitionKind;
  transition_s: number | null;
  transition_beats: number | null;
}

/** A clip's transition columns as the plan takes them; the defaults (a crossfade of no set length) are the film-wide crossfade: none. */
export function transitionSpecOf(r: TransitionColumns): TransitionSpec | undefined {
  if (r.transition_kind === 'crossfade' && r.transition_s === null && r.transition_beats === null) return undefined;
  return { kind: r.transition_kind, s: r.transition_s, beats: r.transition_beats };
}

export async function findProjectOfClip(db: Conn, projectId: string) {
  return db.selectFrom('projects').select(['id', 'music_key']).where('id', '=', projectId).executeTakeFirst();
}

/** The length of the clip's chosen take, and of the next clip's in the project's order that has one (null: none). */
export async function neighbourLengths(db: Conn, projectId: string, clipId: string): Promise<{ own: number | null; next: number | null }> {
  const rows = await db
    .selectFrom('clips')
    .innerJoin('takes', 'takes.id', 'clips.take_id')
    .select(['clips.id', takeLengthS.as('length')])
    .where('clips.project_id', '=', projectId)
    .where('takes.video_key', 'is not', null)
    .orderBy('clips.position')
    .orderBy('clips.created_at')
    .execute();
  const i = rows.findIndex((r) => r.id === clipId);
  return { own: i >= 0 ? rows[i]!.length : null, next: i >= 0 ? rows[i + 1]?.length ?? null : null };
}

export async function setTransitionColumns(db: Conn, clipId: string, t: { kind: TransitionKind; s: number | null; beats: number | null }): Promise<void> {
  await db.updateTable('clips').set({ transition_kind: t.kind, transition_s: t.s, transition_beats: t.beats, updated_at: new Date() }).where('id', '=', clipId).execute();
}
