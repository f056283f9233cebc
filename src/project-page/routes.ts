import fp from 'fastify-plugin';
import { currentUser, requireUser } from '../auth/require-user.js';
import { CLIPS_HEAD } from '../clips/cards.js';
import { loadOwnProject } from '../projects/load.js';
import { projectPage } from './service.js';

const HEAD = `<link rel="stylesheet" href="/assets/css/projects.css"><script src="/assets/js/upload.js" defer></script>${CLIPS_HEAD}<link rel="stylesheet" href="/assets/css/beats.css">`;
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
      return reply.render('projects/show', { ...page, title: `${project.title} · Echoes`, head: HEAD });
    });
  },
  { name: 'project-page', dependencies: ['view', 'auth', 'projects'] },
);
