import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/require-user.js';
import { getBalance } from '../credits/queries.js';
import { InsufficientCreditsError } from '../credits/service.js';
import type { Clip } from '../platform/db-types.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { flash } from '../platform/view.js';
import { findProjectForUser } from '../projects/queries.js';
import { clipCost, getSettings, primaryRoute } from '../settings/service.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { admitClipUpload } from './admission.js';
import { toClipCard } from './cards.js';
import { createClip, regenerateClip } from './charge.js';
import { findClipForUser } from './queries.js';
import { approveClip, cancelClip, deleteClip, moveClip, reorderClips } from './service.js';
import { readClipUpload } from './upload.js';

type Params = { id: string };
const guarded = { preHandler: requireUser };

/**
 * Clip routes. htmx requests get the updated card (plus the fresh balance for the header); plain
 * form posts are redirected back to the project. Every lookup goes through the signed-in user.
 */
export default fp(
  async (app) => {
    async function card(req: FastifyRequest, reply: FastifyReply, clip: Clip, balance?: number) {
      const settings = await getSettings(app.db);
      const view = await toClipCard(app.storage, clip, { regenerateCost: clipCost(settings, clip.duration_s, primaryRoute(settings, app.config)), urlTtlS: app.config.SIGNED_URL_TTL_S });
      const balanceUpdate = req.isHtmx ? balance ?? currentUser(req).credit_balance : null;
      return reply.render('clips/_card', { clip: view, balanceUpdate });
    }

    function noCredits(req: FastifyRequest, reply: FastifyReply, err: InsufficientCreditsError, projectId: string) {
      reply.code(402);
      const data = { title: 'Not enough credits', message: err.message, needed: err.needed, balance: err.balance, projectId };
      return reply.render(req.isHtmx ? 'clips/_no_credits' : 'clips/no_credits', data);
    }

    /** Answers an action: the card for htmx, back to the project for a plain form. */
    async function done(req: FastifyRequest, reply: FastifyReply, clip: Clip, notice: string) {
      if (req.isHtmx) return card(req, reply, clip, await getBalance(app.db, clip.user_id));
      flash(reply, 'notice', notice);
      return reply.redirect(`/projects/${clip.project_id}#clip-${clip.id}`, 303);
    }

    app.post<{ Params: Params }>('/projects/:id/clips', guarded, async (req, reply) => {
      const user = currentUser(req);
      const project = await findProjectForUser(app.db, user.id, req.params.id);
      if (!project) throw new NotFoundError();
      if (!req.isMultipart()) throw new UserError('This form must be sent as a file upload.', 400);
      const settings = await getSettings(app.db);
      try {
        await admitClipUpload(app.ctx, settings, user.id, project);
      } catch (err) {
        if (err instanceof InsufficientCreditsError) return noCredits(req, reply, err, project.id);
        throw err;
      }
      const size = ratioOrDefault(project.ratio, settings.defaultRatio);
      const upload = await readClipUpload(req, settings, {
        maxBytes: app.config.MAX_IMAGE_BYTES,
        maxPixels: app.config.MAX_IMAGE_PIXELS,
        width: size.width,
        height: size.height,
      });
      let clip: Clip;
      try {
        clip = await createClip(app.ctx, { userId: user.id, project, ...upload, requestId: req.id });
      } catch (err) {
        if (err instanceof InsufficientCreditsError) return noCredits(req, reply, err, project.id);
        throw err;
      }
      if (req.isHtmx) return card(req, reply, clip, await getBalance(app.db, user.id));
      flash(reply, 'notice', 'Your clip is being generated. It appears here when it is ready.');
      return reply.redirect(`/projects/${project.id}`, 303);
    });

    app.get<{ Params: Params }>('/clips/:id', guarded, async (req, reply) => {
      const clip = await findClipForUser(app.db, currentUser(req).id, req.params.id);
      if (!clip) throw new NotFoundError();
      reply.header('cache-control', 'no-store');
      return card(req, reply, clip);
    });

    app.post<{ Params: Params }>('/clips/:id/approve', guarded, async (req, reply) => {
      const clip = await approveClip(app.ctx, currentUser(req).id, req.params.id, true);
      return done(req, reply, clip, 'Clip approved.');
    });

    app.post<{ Params: Params }>('/clips/:id/unapprove', guarded, async (req, reply) => {
      const clip = await approveClip(app.ctx, currentUser(req).id, req.params.id, false);
      return done(req, reply, clip, 'Clip no longer approved.');
    });

    app.post<{ Params: Params }>('/clips/:id/regenerate', guarded, async (req, reply) => {
      const user = currentUser(req);
      try {
        const clip = await regenerateClip(app.ctx, user.id, req.params.id, req.id);
        return done(req, reply, clip, 'A new version of the clip is being generated.');
      } catch (err) {
        if (!(err instanceof InsufficientCreditsError)) throw err;
        const clip = await findClipForUser(app.db, user.id, req.params.id);
        return noCredits(req, reply, err, clip!.project_id);
      }
    });

    app.post<{ Params: Params }>('/clips/:id/cancel', guarded, async (req, reply) => {
      const clip = await cancelClip(app.ctx, currentUser(req).id, req.params.id);
      return done(req, reply, clip, 'Generation cancelled. Your credits were refunded.');
    });

    app.post<{ Params: Params }>('/clips/:id/delete', guarded, async (req, reply) => {
      const user = currentUser(req);
      const clip = await deleteClip(app.ctx, user.id, req.params.id);
      if (req.isHtmx) {
        // The card is replaced by this invisible marker, which also refreshes the header balance.
        const balance = await getBalance(app.db, user.id);
        return reply.type('text/html; charset=utf-8').send(`<div hidden data-deleted-clip="${clip.id}" data-credit-balance-update="${balance}"></div>`);
      }
      flash(reply, 'notice', 'Clip deleted.');
      return reply.redirect(`/projects/${clip.project_id}`, 303);
    });

    app.post<{ Params: Params; Body: { dir?: string } }>('/clips/:id/move', guarded, async (req, reply) => {
      // Ownership first: a clip that is not yours is a 404 whatever the form says.
      if (!(await findClipForUser(app.db, currentUser(req).id, req.params.id))) throw new NotFoundError();
      const dir = z.enum(['up', 'down']).safeParse(req.body?.dir ?? (req.query as { dir?: string }).dir);
      if (!dir.success) throw new UserError('Say which way to move the clip: up or down.', 400);
      const clip = await moveClip(app.ctx, currentUser(req).id, req.params.id, dir.data);
      if (req.isHtmx) return reply.code(204).send();
      return reply.redirect(`/projects/${clip.project_id}#clip-${clip.id}`, 303);
    });

    app.post<{ Params: Params; Body: { clip_ids?: string | string[] } }>('/projects/:id/order', guarded, async (req, reply) => {
      const raw = req.body?.clip_ids;
      const ids = raw === undefined ? [] : [raw].flat();
      if (!ids.every((id) => typeof id === 'string')) throw new UserError('The new order is not valid.', 400);
      await reorderClips(app.ctx, currentUser(req).id, req.params.id, ids);
      const wantsPage = !req.isHtmx && !String(req.headers.accept ?? '').includes('application/json');
      if (wantsPage) return reply.redirect(`/projects/${req.params.id}`, 303);
      return reply.code(204).send();
    });
  },
  { name: 'clips', dependencies: ['view', 'auth'] },
);
