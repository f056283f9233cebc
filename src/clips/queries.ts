import type { Conn } from '../platform/db.js';
import { isUuid } from '../platform/ids.js';

/** The clip, only when it belongs to the user; undefined otherwise (answer 404). */
export async function findClipForUser(db: Conn, userId: string, clipId: string) {
  if (!isUuid(clipId)) return undefined;
  return db.selectFrom('clips').selectAll().where('id', '=', clipId).where('user_id', '=', userId).executeTakeFirst();
}

export async function listClipsForProject(db: Conn, userId: string, projectId: string) {
  return db
    .selectFrom('clips')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
}
