import type { Conn } from '../platform/db.js';
import type { Project, ProjectStatus } from '../platform/db-types.js';
import { NotFoundError } from '../platform/errors.js';
import { setProjectStatus } from './queries.js';

/** Marks the project completed or back in progress; 404 when it is not the user's. */
export async function changeStatus(db: Conn, userId: string, projectId: string, status: ProjectStatus): Promise<Project> {
  const project = await setProjectStatus(db, userId, projectId, status);
  if (!project) throw new NotFoundError();
  return project;
}
