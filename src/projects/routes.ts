import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../auth/require-user.js';
import { CapReachedError } from '../limits/quota.js';
import { UserError } from '../platform/errors.js';
import { parseForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { createForm, renameForm } from './forms.js';
import { decorateProject, ownProject } from './own.js';
import { createProject, dashboard, deleteProject, rename } from './service.js';
import { ProjectCards } from './card-html.js';
import { PageBytes } from '../platform/view.js';

export default fp(
  async (app) => {
    const ctx = app.ctx;
    decorateProject(app);
    const own = { preHandler: ownProject() };
    const projectCards = new ProjectCards(app);

    async function renderDashboard(req: FastifyRequest, reply: FastifyReply, form: { title?: string; ratio?: string; error?: string } = {}) {
      const data = await dashboard(ctx, currentUser(req), app.personReads);
      const cards = new PageBytes(await projectCards.cardsOf(data.rows));
      return reply.render('projects/index', { ...data, projectCount: data.rows.length, bytes: cards, form, title: 'Your projects · Echoes' });
    }

    app.get('/projects', (req, reply) => renderDashboard(req, reply));

    app.post('/projects', async (req, reply) => {
      const form = parseForm(createForm, req.body);
      if (!form.ok) {
        // The form comes back as it was typed, with the first problem.
        const body = (req.body ?? {}) as Record<string, unknown>;
        reply.code(400);
        return renderDashboard(req, reply, { title: String(body.title ?? ''), ratio: String(body.ratio ?? ''), error: form.first });
      }
      let project;
      try {
        project = await createProject(ctx, currentUser(req).id, form.data);
      } catch (err) {
        if (!(err instanceof CapReachedError)) throw err;
        reply.code(409);
        return renderDashboard(req, reply, { title: form.data.title, ratio: form.data.ratio ?? '', error: err.message });
      }
      return reply.redirect(`/projects/${project.id}`, 303);
    });

    // Rename: a full redirect without JavaScript, or just the title block for htmx.
    app.post('/projects/:id', own, async (req, reply) => {
      const { project } = req;
      const form = parseForm(renameForm, req.body);
      if (!form.ok) {
        if (!req.isHtmx) throw new UserError(form.first);
        reply.code(422);
        return reply.render('projects/_title', { view: { id: project.id, title: project.title }, error: form.first, open: true });
      }
      const renamed = await rename(ctx, currentUser(req).id, project.id, form.data.title);
      if (req.isHtmx) return reply.render('projects/_title', { view: { id: renamed.id, title: renamed.title } });
      flash(reply, 'notice', 'Renamed.');
      return reply.redirect(`/projects/${project.id}`, 303);
    });

    app.post('/projects/:id/delete', own, async (req, reply) => {
      const { title } = await deleteProject(ctx, currentUser(req).id, req.project.id);
      flash(reply, 'notice', `Deleted “${title}” and its media.`);
      if (req.isHtmx) return reply.header('HX-Redirect', '/projects').code(204).send();
      return reply.redirect('/projects', 303);
    });
  },
  { name: 'projects', dependencies: ['view', 'auth'] },
);
