import { sql, type Updateable } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { CutMode, MusicAnalyses } from '../platform/db-types.js';
import type { TrackAnalysis } from './dsp/analysis.js';

/** The project's analysis row, whatever track it describes (compare music_key with the project's). */
export function findAnalysis(db: Conn, projectId: string) {
  return db.selectFrom('music_analyses').selectAll().where('project_id', '=', projectId).executeTakeFirst();
}

/** The project fields the analysis job and the plan need (no user scope: jobs and players use it). */
export function findProjectMusic(db: Conn, projectId: string) {
  return db
    .selectFrom('projects')
    .select(['id', 'user_id', 'music_key', 'music_duration_s', 'cut_on_beat', 'cut_mode'])
    .where('id', '=', projectId)
    .executeTakeFirst();
}

/** (Re)starts the analysis of `musicKey`: a fresh `queued` row, whatever was there before. */
export function upsertQueued(db: Conn, projectId: string, musicKey: string) {
  return db
    .insertInto('music_analyses')
    .values({ project_id: projectId, music_key: musicKey, status: 'queued' })
    .onConflict((oc) =>
      oc.column('project_id').doUpdateSet({
        music_key: musicKey,
        status: 'queued',
        tempo_bpm: null,
        beats: '[]',
        downbeats: '[]',
        waveform: '[]',
        duration_s: null,
        note: null,
        error_message: null,
        attempts: 0,
        started_at: null,
        finished_at: null,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/** Claims the row for a run of the job, only while it still describes `musicKey` and is not done. */
export function markRunning(db: Conn, projectId: string, musicKey: string) {
  return db
    .updateTable('music_analyses')
    .set({ status: 'running', attempts: sql`attempts + 1`, started_at: sql`now()`, updated_at: sql`now()` })
    .where('project_id', '=', projectId)
    .where('music_key', '=', musicKey)
    .where('status', 'in', ['queued', 'running'])
    .returning(['attempts'])
    .executeTakeFirst();
}

/** Updates the row only while it still describes `musicKey` (a newer upload wins). */
function updateFor(db: Conn, projectId: string, musicKey: string, values: Updateable<MusicAnalyses>) {
  return db
    .updateTable('music_analyses')
    .set({ ...values, finished_at: sql`now()`, updated_at: sql`now()` })
    .where('project_id', '=', projectId)
    .where('music_key', '=', musicKey)
    .executeTakeFirst();
}

export function saveResult(db: Conn, projectId: string, musicKey: string, result: TrackAnalysis) {
  return updateFor(db, projectId, musicKey, {
    status: result.status,
    tempo_bpm: result.tempoBpm,
    beats: JSON.stringify(result.beats),
    downbeats: JSON.stringify(result.downbeats),
    waveform: JSON.stringify(result.waveform),
    duration_s: result.durationS,
    note: result.note,
    error_message: null,
  });
}

/** A failure of ours, to be tried again: back to `queued`, with the note the panel shows meanwhile. */
export function markRetrying(db: Conn, projectId: string, musicKey: string, note: string) {
  return db
    .updateTable('music_analyses')
    .set({ status: 'queued', error_message: note, updated_at: sql`now()` })
    .where('project_id', '=', projectId)
    .where('music_key', '=', musicKey)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
}

export function saveError(db: Conn, projectId: string, musicKey: string, message: string) {
  return updateFor(db, projectId, musicKey, { status: 'error', error_message: message });
}

export function updateBeatSync(db: Conn, projectId: string, cutOnBeat: boolean, cutMode: CutMode) {
  return db
    .updateTable('projects')
    .set({ cut_on_beat: cutOnBeat, cut_mode: cutMode, updated_at: sql`now()` })
    .where('id', '=', projectId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
