import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser, requireUser } from '../auth/require-user.js';
import { CapReachedError } from '../limits/quota.js';
import { UserError } from '../platform/errors.js';
import { flash } from '../platform/view.js';
import { createForm, firstIssue, renameForm } from './forms.js';
import { loadOwnProject } from './load.js';
import { createProject, dashboard, deleteProject, rename } from './service.js';

type WithId = { Params: { id: string } };

export default fp(
  async (app) => {
    const ctx = app.ctx;
    const auth = { preHandler: requireUser };

    async function renderDashboard(req: FastifyRequest, reply: FastifyReply, form: { title?: string; ratio?: string; error?: string } = {}) {
      const data = await dashboard(ctx, currentUser(req));
      return reply.render('projects/index', { ...data, form, title: 'Your projects · Echoes' });
    }

    app.get('/projects', auth, (req, reply) => renderDashboard(req, reply));

    app.post('/projects', auth, async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const parsed = createForm.safeParse(body);
      if (!parsed.success) {
        reply.code(400);
        return renderDashboard(req, reply, { title: String(body.title ?? ''), ratio: String(body.ratio ?? ''), error: firstIssue(parsed.error) });
      }
      let project;
      try {
        project = await createProject(ctx, currentUser(req).id, parsed.data);
      } catch (err) {
        if (!(err instanceof CapReachedError)) throw err;
        reply.code(409);
        return renderDashboard(req, reply, { title: parsed.data.title, ratio: parsed.data.ratio ?? '', error: err.message });
      }
      return reply.redirect(`/projects/${project.id}`, 303);
    });

    // Rename: a full redirect without JavaScript, or just the title block for htmx.
    app.post<WithId>('/projects/:id', auth, async (req, reply) => {
      const project = await loadOwnProject(req);
      const parsed = renameForm.safeParse(req.body ?? {});
      if (!parsed.success) {
        if (!req.isHtmx) throw new UserError(firstIssue(parsed.error));
        reply.code(422);
        return reply.render('projects/_title', { view: { id: project.id, title: project.title }, error: firstIssue(parsed.error), open: true });
      }
      const renamed = await rename(ctx, currentUser(req).id, project.id, parsed.data.title);
      if (req.isHtmx) return reply.render('projects/_title', { view: { id: renamed.id, title: renamed.title } });
      flash(reply, 'notice', 'Renamed.');
      return reply.redirect(`/projects/${project.id}`, 303);
    });

    app.post<WithId>('/projects/:id/delete', auth, async (req, reply) => {
      const project = await loadOwnProject(req);
      const { title } = await deleteProject(ctx, currentUser(req).id, project.id);
      flash(reply, 'notice', `Deleted “${title}” and its media.`);
      if (req.isHtmx) return reply.header('HX-Redirect', '/projects').code(204).send();
      return reply.redirect('/projects', 303);
    });
  },
  { name: 'projects', dependencies: ['view', 'auth'] },
);
