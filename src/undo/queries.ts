import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { Edit } from './record.js';

export async function insertEdit(db: Conn, edit: Edit): Promise<void> {
  await db
    .insertInto('project_edits')
    .values({
      project_id: edit.projectId,
      user_id: edit.userId,
      kind: edit.kind,
      clip_id: edit.clipId ?? null,
      label: edit.label,
      inverse: JSON.stringify(edit.undo),
      held_keys: JSON.stringify(edit.held?.keys ?? []),
      held_bytes: edit.held?.bytes ?? 0,
    })
    .execute();
}

/** Only the newest `depth` edits stay undoable; older ones holding nothing go at once, the rest wait for the purge. */
export async function expireBeyond(db: Conn, projectId: string, depth: number): Promise<void> {
  await sql`update project_edits set expired = true
    where project_id = ${projectId} and not expired
      and id < (select min(id) from (select id from project_edits where project_id = ${projectId} and not expired order by id desc limit ${depth}) newest)`.execute(db);
  await db.deleteFrom('project_edits').where('project_id', '=', projectId).where('expired', '=', true).where('held_bytes', '=', 0).where(sql<boolean>`held_keys = '[]'::jsonb`).execute();
}

/** The project, only when it is the user's, locked so two undos (or an undo and an edit) take turns. */
export async function lockProjectForUser(db: Conn, userId: string, projectId: string) {
  return db.selectFrom('projects').select(['id', 'user_id']).where('id', '=', projectId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

/** The newest undoable edit of the project, locked. */
export async function lockLastEdit(db: Conn, projectId: string) {
  return db.selectFrom('project_edits').selectAll().where('project_id', '=', projectId).where('expired', '=', false).orderBy('id', 'desc').limit(1).forUpdate().executeTakeFirst();
}

/** Ends an edit's undo window now: gone at once when it holds nothing, else left to the purge (its objects). */
export async function expireEdit(db: Conn, id: number): Promise<void> {
  await db.updateTable('project_edits').set({ expired: true }).where('id', '=', id).execute();
  await db.deleteFrom('project_edits').where('id', '=', id).where('held_bytes', '=', 0).where(sql<boolean>`held_keys = '[]'::jsonb`).execute();
}

export async function deleteEdit(db: Conn, id: number): Promise<void> {
  await db.deleteFrom('project_edits').where('id', '=', id).execute();
}

/** How many edits of the project can be undone (the page's Undo button says so). */
export async function countUndoable(db: Conn, projectId: string): Promise<number> {
  const row = await db.selectFrom('project_edits').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).where('expired', '=', false).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function setClipColumns(db: Conn, projectId: string, clipId: string, columns: Record<string, unknown>): Promise<void> {
  if (Object.keys(columns).length === 0) return;
  await db.updateTable('clips').set({ ...columns, updated_at: new Date() }).where('id', '=', clipId).where('project_id', '=', projectId).execute();
}

export async function lockClipIds(db: Conn, projectId: string): Promise<string[]> {
  const rows = await db.selectFrom('clips').select('id').where('project_id', '=', projectId).orderBy('position').orderBy('created_at').forUpdate().execute();
  return rows.map((r) => r.id);
}

/**
 * Writes positions 1..n in the given order, in one statement. Reordering clips (src/clips) uses it
 * too: clips may import undo, undo may not import clips.
 */
export async function writePositions(db: Conn, projectId: string, orderedIds: string[]): Promise<void> {
  if (orderedIds.length === 0) return;
  const values = sql.join(orderedIds.map((id, i) => sql`(${id}::uuid, ${i + 1}::int)`));
  await sql`update clips set position = v.pos, updated_at = now()
    from (values ${values}) as v(id, pos)
    where clips.id = v.id and clips.project_id = ${projectId} and clips.position is distinct from v.pos`.execute(db);
}

/** Inserts a deleted clip's rows again (the clip first, then its takes, then the take it used). */
export async function insertClipRows(db: Conn, clip: Record<string, unknown>, takes: Array<Record<string, unknown>>): Promise<void> {
  await db.insertInto('clips').values({ ...clip, take_id: null } as never).execute();
  if (takes.length) await db.insertInto('takes').values(takes as never).execute();
  if (clip.take_id) await db.updateTable('clips').set({ take_id: clip.take_id as string }).where('id', '=', clip.id as string).execute();
  // Back, so no page catching up should drop its card (migrations/0022_clip_tombstones.ts).
  await db.deleteFrom('clip_tombstones').where('clip_id', '=', clip.id as string).execute();
}

/** Edits that fell out of the undo window still holding objects, oldest first. */
export async function expiredHoldingEdits(db: Conn, limit: number, projectId?: string) {
  let q = db.selectFrom('project_edits').select(['id', 'held_keys']).where('expired', '=', true).orderBy('id').limit(limit);
  if (projectId) q = q.where('project_id', '=', projectId);
  return q.execute();
}

export async function countClips(db: Conn, projectId: string): Promise<number> {
  const row = await db.selectFrom('clips').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function lockClip(db: Conn, projectId: string, clipId: string) {
  return db.selectFrom('clips').select(['id', 'status', 'take_id']).where('id', '=', clipId).where('project_id', '=', projectId).forUpdate().executeTakeFirst();
}

export async function deleteTakes(db: Conn, clipId: string, takeIds: string[]): Promise<void> {
  if (takeIds.length === 0) return;
  await db.deleteFrom('takes').where('clip_id', '=', clipId).where('id', 'in', takeIds).execute();
}
