import fp from 'fastify-plugin';
import { currentUser } from '../../auth/require-user.js';
import { ownProject } from '../../projects/own.js';
import { projectPage } from './service.js';
import { clipCards } from '../../clips/card-html.js';
import { pageCsrfToken } from '../../platform/csrf-token.js';
import { PageBytes } from '../../platform/view.js';
import { timelineHtml } from '../../film/timeline-html.js';

/**
 * GET /projects/:id, the page where a project is made: its clips, music and beat panels side by
 * side. It reads those features; they depend on projects, never on this page.
 */
export default fp(
  async (app) => {
    const ctx = app.ctx;
    const cards = clipCards(app);
    const timelines = timelineHtml(app);

    app.get('/projects/:id', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      const page = await projectPage(ctx, currentUser(req), project, app.personReads);
      const csrfToken = pageCsrfToken(reply);
      // The cards and the timeline are kept rendered (card-html.ts, timeline-html.ts) and copied in.
      const [clips, timeline] = await Promise.all([cards.cardsOf(page.clips, { csrfToken }), page.timeline ? timelines.of(page.timeline, csrfToken) : null]);
      const bytes = new PageBytes(clips, { timeline });
      return reply.render('projects/show', { ...page, bytes, title: `${project.title} · Echoes`, liveProject: project.id });
    });
  },
  { name: 'project-page', dependencies: ['view', 'auth', 'projects'] },
);
