import type { Conn } from '../platform/db.js';
import { isUuid } from '../platform/ids.js';

/** The project, only when it belongs to the user; undefined otherwise (answer 404). */
export async function findProjectForUser(db: Conn, userId: string, projectId: string) {
  if (!isUuid(projectId)) return undefined;
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
}
