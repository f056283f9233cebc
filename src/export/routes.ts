import fp from 'fastify-plugin';
import { enforceRouteLimit } from '../limits/route-limits.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Project } from '../platform/db-types.js';
import { admitExport } from '../limits/admit.js';
import { NotFoundError, RateLimitedError, UserError } from '../platform/errors.js';
import { ownProject } from '../projects/own.js';
import { parseExportOptions } from './options.js';
import { startExport } from './service.js';
import { exportStatusView } from './status.js';

export default fp(
  async (app) => {
    /** The whole page, or only the status fragment for htmx (polling, the Export button). */
    async function show(req: FastifyRequest, reply: FastifyReply, project: Project, notice: string | null = null, status = 200) {
      const view = await exportStatusView(app.ctx, project, notice);
      reply.code(status);
      if (req.isHtmx) return reply.render('export/_status', { view });
      return reply.render('export/page', { view, title: `Export · ${project.title} · Echoes`, liveProject: project.id });
    }

    app.get('/projects/:id/export', { preHandler: ownProject() }, async (req, reply) => {
      return show(req, reply, req.project);
    });

    app.post('/projects/:id/export', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      try {
        const options = parseExportOptions(req.body);
        await enforceRouteLimit(app.ctx, req, 'project-export');
        await admitExport(app.ctx, project.user_id);
        await startExport(app.ctx, project, options);
      } catch (err) {
        // Refusals (an unknown option, nothing approved, one already running, a limit) show the export state with the reason.
        if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterS));
        if (err instanceof UserError && !(err instanceof NotFoundError)) return show(req, reply, project, err.message, err.statusCode);
        throw err;
      }
      if (req.isHtmx) return show(req, reply, project);
      return reply.redirect(`/projects/${project.id}/export`, 303);
    });
  },
  { name: 'export', dependencies: ['view', 'auth', 'projects'] },
);
