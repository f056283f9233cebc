import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import { flash } from '../platform/view.js';
import { offerUndo } from '../undo/offer-undo.js';
import { deleteTake, selectTake, takesOfClip } from './service.js';

type TakeParams = { id: string; take_id: string };

/** The signed-in person (the auth guard runs first on every creator route; not imported, as auth depends on takes through limits). */
function userId(req: FastifyRequest): string {
  if (!req.user) throw new NotFoundError();
  return req.user.id;
}

/**
 * A clip's takes: `GET /clips/:id/takes` (the list; htmx gets the fragment the clip card opens, a
 * plain request the page), choosing the take the film uses and deleting another. The clip is
 * looked up through the signed-in person, the take through the clip (404 otherwise).
 */
export default fp(
  async (app) => {
    async function list(req: FastifyRequest, reply: FastifyReply, clipId: string) {
      const found = await takesOfClip(app.ctx, userId(req), clipId);
      const { clip } = found;
      reply.header('cache-control', 'no-store');
      const data = { ...found, admin: false };
      if (req.isHtmx) return reply.render('takes/_list', data);
      return reply.render('takes/page', { ...data, title: `Takes · ${clip.project_title} · Echoes`, liveProject: clip.project_id });
    }

    /** htmx gets the list again; a plain form goes back to the takes page with what happened. */
    function done(req: FastifyRequest<{ Params: TakeParams }>, reply: FastifyReply, notice: string) {
      if (req.isHtmx) return list(req, reply, req.params.id);
      flash(reply, 'notice', notice);
      return reply.redirect(`/clips/${req.params.id}/takes`, 303);
    }

    app.get<{ Params: { id: string } }>('/clips/:id/takes', async (req, reply) => list(req, reply, req.params.id));

    app.post<{ Params: TakeParams }>('/clips/:id/takes/:take_id/select', async (req, reply) => {
      if (await selectTake(app.ctx, userId(req), req.params.id, req.params.take_id)) offerUndo(reply, 'Take chosen');
      return done(req, reply, 'The film uses this take now.');
    });

    app.post<{ Params: TakeParams }>('/clips/:id/takes/:take_id/delete', async (req, reply) => {
      await deleteTake(app.ctx, userId(req), req.params.id, req.params.take_id);
      return done(req, reply, 'Take deleted.');
    });
  },
  { name: 'takes', dependencies: ['view', 'auth'] },
);
