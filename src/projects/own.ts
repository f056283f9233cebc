import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/require-user.js';
import type { Project } from '../platform/db-types.js';
import { NotFoundError } from '../platform/errors.js';
import { findProjectForUser } from './queries.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person's project named in the URL; set by the ownProject() preHandler only. */
    project: Project;
  }
}

export function decorateProject(app: FastifyInstance): void {
  app.decorateRequest('project', null as never);
}

/**
 * The project `id` when it is the signed-in person's; a 404 otherwise (not theirs looks like not
 * there). A page (GET) may have it from what this process kept; a change reads the database.
 */
export async function ownedProject(req: FastifyRequest, id: unknown): Promise<Project> {
  const userId = currentUser(req).id;
  const project =
    typeof id === 'string' ? await req.server.personReads.forRequest(req.method, userId, `project:${id}`, () => findProjectForUser(req.server.db, userId, id)) : undefined;
  if (!project) throw new NotFoundError();
  return project;
}

/** preHandler: loads the project named by the route param `param` onto `req.project`, or answers 404. */
export function ownProject(param = 'id') {
  return async function loadOwnProject(req: FastifyRequest): Promise<void> {
    req.project = await ownedProject(req, (req.params as Record<string, unknown>)[param]);
  };
}
