import type { Conn } from '../platform/db.js';
import type { ProjectStatus } from '../platform/db-types.js';
import { isUuid } from '../platform/ids.js';

/** Sets the project's status through its owner; undefined when it is not theirs. */
export async function setProjectStatus(db: Conn, userId: string, projectId: string, status: ProjectStatus) {
  if (!isUuid(projectId)) return undefined;
  return db
    .updateTable('projects')
    .set({ status, updated_at: new Date() })
    .where('id', '=', projectId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}
