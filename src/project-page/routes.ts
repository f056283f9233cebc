import fp from 'fastify-plugin';
import { currentUser, requireUser } from '../auth/require-user.js';
import { loadOwnProject } from '../projects/load.js';
import { projectPage } from './service.js';

type WithId = { Params: { id: string } };

/**
 * GET /projects/:id, the page where a project is made: its clips, music and beat panels side by
 * side. It reads those features; they depend on projects, never on this page.
 */
export default fp(
  async (app) => {
    const ctx = app.ctx;

    app.get<WithId>('/projects/:id', { preHandler: requireUser }, async (req, reply) => {
      const project = await loadOwnProject(req);
      const page = await projectPage(ctx, currentUser(req), project);
      return reply.render('projects/show', { ...page, title: `${project.title} · Echoes`, liveProject: project.id });
    });
  },
  { name: 'project-page', dependencies: ['view', 'auth', 'projects'] },
);
