import fp from 'fastify-plugin';
import { ownClip } from '../clips/own.js';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { ownedProject, ownProject } from '../projects/own.js';
import { loadTimeline } from './service.js';
import { TrimForm, trimClip } from './trim.js';
import { offerUndo } from '../undo/offer-undo.js';
import { clipCards } from '../clips/card-html.js';
import { findClipForUser } from '../clips/queries.js';
import { pageCsrfToken } from '../platform/csrf-token.js';
import { NotFoundError } from '../platform/errors.js';
import { setTransition, transitionForm } from './transition-edit.js';
import { toClipCard } from '../clips/cards.js';

/**
 * The film as a timeline on the project page (GET /projects/:id/timeline, the fragment the live
 * stream refreshes), trimming a clip (POST /clips/:id/trim) and its transition into the next (GET
 * and POST /clips/:id/transition). htmx gets the fresh timeline; a
 * plain form goes back to the project page.
 */
export default fp(
  async (app) => {
    app.get('/projects/:id/timeline', { preHandler: ownProject() }, async (req, reply) => {
      if (!req.isHtmx) return reply.redirect(`/projects/${req.project.id}#timeline`, 303);
      return reply.render('film/_timeline', { timeline: await loadTimeline(app.ctx, req.project) });
    });

    app.post('/clips/:id/trim', { preHandler: ownClip() }, async (req, reply) => {
      const { clip } = req;
      const form = readForm(TrimForm, req.body);
      await trimClip(app.db, clip, form.in_s, form.out_s);
      const project = await ownedProject(req, clip.project_id);
      offerUndo(reply, 'Clip trimmed');
      if (req.isHtmx) return reply.render('film/_timeline', { timeline: await loadTimeline(app.ctx, project) });
      flash(reply, 'notice', `Clip trimmed to ${form.in_s.toFixed(2)}–${form.out_s.toFixed(2)} s of its take.`);
      return reply.redirect(`/projects/${project.id}#timeline`, 303);
    });

    // The transition's form, which the card fetches when its transition is first opened (the card
    // does not carry it), or a page of its own without JavaScript.
    app.get('/clips/:id/transition', { preHandler: ownClip() }, async (req, reply) => {
      const clip = await toClipCard(app.storage, req.clip, { urlTtlS: app.config.SIGNED_URL_TTL_S });
      return reply.render(req.isHtmx ? 'clips/_transition_form' : 'clips/transition', { clip, title: 'Transition' });
    });

    // The transition from a clip into the next (its card's form): htmx gets the card again.
    app.post('/clips/:id/transition', { preHandler: ownClip() }, async (req, reply) => {
      const spec = readForm(transitionForm, req.body);
      await setTransition(app.ctx, req.clip.user_id, req.clip.id, spec);
      offerUndo(reply, 'Transition changed');
      if (!req.isHtmx) {
        flash(reply, 'notice', 'Transition changed.');
        return reply.redirect(`/projects/${req.clip.project_id}#clip-${req.clip.id}`, 303);
      }
      const fresh = await findClipForUser(app.db, req.clip.user_id, req.clip.id);
      if (!fresh) throw new NotFoundError();
      const html = await clipCards(app).cardOf(fresh, { csrfToken: pageCsrfToken(reply), balanceUpdate: null });
      return reply.type('text/html; charset=utf-8').send(html);
    });
  },
  { name: 'film', dependencies: ['view', 'auth', 'projects', 'clips'] },
);
