import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/require-user.js';
import { NotFoundError } from '../platform/errors.js';
import { findClipForUser, type ClipWithTake } from './queries.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person's clip named in the URL; set by the ownClip() preHandler only. */
    clip: ClipWithTake;
  }
}

export function decorateClip(app: FastifyInstance): void {
  app.decorateRequest('clip', null as never);
}

/**
 * preHandler: loads the clip named by the route param `param` onto `req.clip`, or answers 404.
 * A page or a poll (GET) may have it from what this process kept; a change reads the database.
 */
export function ownClip(param = 'id') {
  return async function loadOwnClip(req: FastifyRequest): Promise<void> {
    const id = (req.params as Record<string, unknown>)[param];
    const userId = currentUser(req).id;
    const clip =
      typeof id === 'string' ? await req.server.personReads.forRequest(req.method, userId, `clip:${id}`, () => findClipForUser(req.server.db, userId, id)) : undefined;
    if (!clip) throw new NotFoundError();
    req.clip = clip;
  };
}
