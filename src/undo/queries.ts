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
