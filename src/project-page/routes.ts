import fp from 'fastify-plugin';
import { currentUser } from '../auth/require-user.js';
import { ownProject } from '../projects/own.js';
import { projectPage } from './service.js';

/**
 * GET /projects/:id, the page where a project is made: its clips, music and beat panels side by
 * side. It reads those features; they depend on projects, never on this page.
 */
export default fp(
  async (app) => {
    const ctx = app.ctx;

    app.get('/projects/:id', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      const page = await projectPage(ctx, currentUser(req), project, app.personReads);
      return reply.render('projects/show', { ...page, title: `${project.title} · Echoes`, liveProject: project.id });
    });
  },
  { name: 'project-page', dependencies: ['view', 'auth', 'projects'] },
);
