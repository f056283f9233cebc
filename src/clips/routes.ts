import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { currentUser } from '../auth/require-user.js';
import { getBalance } from '../credits/queries.js';
import { InsufficientCreditsError } from '../credits/service.js';
import type { Clip } from '../platform/db-types.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { pageCsrfToken } from '../platform/csrf-token.js';
import { ownProject } from '../projects/own.js';
import { getSettings } from '../settings/service.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { admitClipUpload } from './admission.js';
import { clipCards } from './card-html.js';
import { animateClips, createClip, regenerateClip } from './create-and-regenerate.js';
import { decorateClip, ownClip } from './own.js';
import { findClipForUser, nextClipImage, type ClipWithTake } from './queries.js';
import { directionForm, readDirection } from './direction.js';
import { approveClip, cancelClip, deleteClip, moveClip, reorderClips } from './service.js';
import { readClipUpload } from './upload.js';
import { offerUndo } from '../undo/offer-undo.js';

const clipOfUrl = { preHandler: ownClip() };
const projectOfUrl = { preHandler: ownProject() };

const moveForm = z.object({ dir: z.enum(['up', 'down'], { error: 'Say which way to move the clip: up or down.' }) });
// Repeated fields arrive as an array, a single one as a string; none is an empty order.
const orderForm = z.object(
  {
    clip_ids: z
      .union([z.string(), z.array(z.string())], { error: 'The new order is not valid.' })
      .optional()
      .transform((v) => (v === undefined ? [] : [v].flat())),
  },
  { error: 'The new order is not valid.' },
);

/**
 * Clip routes. htmx requests get the updated card (plus the fresh balance for the header); plain
 * form posts are redirected back to the project. Every lookup goes through the signed-in user.
 */
export default fp(
  async (app) => {
    decorateClip(app);

    async function card(req: FastifyRequest, reply: FastifyReply, changed: Clip | ClipWithTake, balance?: number) {
      // A row an action returned has no chosen take joined: read it again with its take.
      const clip = 'take_kind' in changed ? changed : await findClipForUser(app.db, changed.user_id, changed.id);
      if (!clip) throw new NotFoundError();
      const balanceUpdate = req.isHtmx ? balance ?? currentUser(req).credit_balance : null;
      const html = await clipCards(app).cardOf(clip, { csrfToken: pageCsrfToken(reply), balanceUpdate });
      return reply.type('text/html; charset=utf-8').send(html);
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

    app.post('/projects/:id/clips', projectOfUrl, async (req, reply) => {
      const user = currentUser(req);
      const { project } = req;
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

    app.get('/clips/:id', clipOfUrl, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return card(req, reply, req.clip);
    });

    app.post('/clips/:id/approve', clipOfUrl, async (req, reply) => {
      const clip = await approveClip(app.ctx, req.clip, true);
      return done(req, reply, clip, 'Clip approved.');
    });

    app.post('/clips/:id/unapprove', clipOfUrl, async (req, reply) => {
      const clip = await approveClip(app.ctx, req.clip, false);
      return done(req, reply, clip, 'Clip no longer approved.');
    });

    // The direction form for the next take; the card loads it in place (htmx), or it is a page.
    app.get('/clips/:id/regenerate', clipOfUrl, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const settings = await getSettings(app.db);
      const hasNext = Boolean(await nextClipImage(app.db, req.clip));
      const form = directionForm(settings, app.config, req.clip, hasNext, await getBalance(app.db, req.clip.user_id));
      return reply.render(req.isHtmx ? 'clips/_direction' : 'clips/direction', { form, title: 'Direct the next take' });
    });

    app.post('/clips/:id/regenerate', clipOfUrl, async (req, reply) => {
      const ask = readDirection(req.body, await getSettings(app.db));
      try {
        const clip = await regenerateClip(app.ctx, req.clip.user_id, req.clip.id, req.id, ask);
        const made = ask.versions > 1 ? `${ask.versions} new versions of the clip are` : 'A new version of the clip is';
        return done(req, reply, clip, `${made} being generated.`);
      } catch (err) {
        if (!(err instanceof InsufficientCreditsError)) throw err;
        return noCredits(req, reply, err, req.clip.project_id);
      }
    });

    app.post('/clips/:id/cancel', clipOfUrl, async (req, reply) => {
      const clip = await cancelClip(app.ctx, req.clip);
      return done(req, reply, clip, 'Generation cancelled. Your credits were refunded.');
    });

    app.post('/clips/:id/delete', clipOfUrl, async (req, reply) => {
      const user = currentUser(req);
      const clip = await deleteClip(app.ctx, user.id, req.clip.id);
      offerUndo(reply, 'Clip deleted');
      if (req.isHtmx) {
        // The card is replaced by this invisible marker, which also refreshes the header balance.
        const balance = await getBalance(app.db, user.id);
        return reply.type('text/html; charset=utf-8').send(`<div hidden data-deleted-clip="${clip.id}" data-credit-balance-update="${balance}"></div>`);
      }
      flash(reply, 'notice', 'Clip deleted. Undo brings it back.');
      return reply.redirect(`/projects/${clip.project_id}`, 303);
    });

    // Ownership first (the preHandler): a clip that is not yours is a 404 whatever the form says.
    app.post('/clips/:id/move', clipOfUrl, async (req, reply) => {
      // The direction comes in the form, or in the URL of a plain link-like button.
      const { dir } = readForm(moveForm, { ...Object(req.query), ...Object(req.body) });
      const clip = await moveClip(app.ctx, req.clip, dir);
      offerUndo(reply, 'Clip moved');
      if (req.isHtmx) return reply.code(204).send();
      return reply.redirect(`/projects/${clip.project_id}#clip-${clip.id}`, 303);
    });

    app.post('/projects/:id/animate', projectOfUrl, async (req, reply) => {
      const { clip_ids: ids } = readForm(orderForm, req.body);
      if (ids.length === 0) throw new UserError('Choose the clips to animate.', 400, 'no_clips');
      try {
        const started = await animateClips(app.ctx, currentUser(req).id, req.project.id, ids, req.id);
        flash(reply, 'notice', `Animating ${started.length === 1 ? '1 clip' : `${started.length} clips`}. The film switches to each AI take when it is ready.`);
        return reply.redirect(`/projects/${req.project.id}`, 303);
      } catch (err) {
        if (!(err instanceof InsufficientCreditsError)) throw err;
        return noCredits(req, reply, err, req.project.id);
      }
    });

    app.post('/projects/:id/order', projectOfUrl, async (req, reply) => {
      const { clip_ids: ids } = readForm(orderForm, req.body);
      if (await reorderClips(app.ctx, req.project, ids)) offerUndo(reply, 'Clips reordered');
      const wantsPage = !req.isHtmx && !String(req.headers.accept ?? '').includes('application/json');
      if (wantsPage) return reply.redirect(`/projects/${req.project.id}`, 303);
      return reply.code(204).send();
    });
  },
  { name: 'clips', dependencies: ['view', 'auth', 'projects'] },
);
