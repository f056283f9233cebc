import type { FastifyRequest } from 'fastify';
import { currentUser } from '../auth/require-user.js';
import { NotFoundError } from '../platform/errors.js';
import { findProjectForUser } from './queries.js';

/** The project named in the URL (`:id`), loaded through the signed-in user: anyone else gets a 404. */
export async function loadOwnProject(req: FastifyRequest<{ Params: { id: string } }>) {
  const project = await findProjectForUser(req.server.db, currentUser(req).id, req.params.id);
  if (!project) throw new NotFoundError();
  return project;
}
