import fp from 'fastify-plugin';
import { ownClip } from '../clips/own.js';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { ownedProject, ownProject } from '../projects/own.js';
import { loadTimeline } from './service.js';
import { TrimForm, trimClip } from './trim.js';
import { offerUndo } from '../undo/http.js';

/**
 * The film as a timeline on the project page (GET /projects/:id/timeline, the fragment the live
 * stream refreshes) and trimming a clip (POST /clips/:id/trim). htmx gets the fresh timeline; a
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
  },
  { name: 'film', dependencies: ['view', 'auth', 'projects', 'clips'] },
);
