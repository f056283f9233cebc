import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { currentUser } from '../auth/require-user.js';
import { readForm } from '../platform/forms.js';
import { safeReturnPath } from '../platform/safe-return-path.js';
import { flash } from '../platform/view.js';
import type { ProjectStatus } from '../platform/db-types.js';
import { ownProject } from '../projects/own.js';
import { sharePanel } from '../sharing/panel.js';
import { loadFilm } from '../film/service.js';
import { changeStatus } from './service.js';

/** Where to go afterwards, if the form says; safeReturnPath keeps it on this site. */
const nextForm = z.object({ next: z.unknown().optional() }).catch({ next: undefined });

/** The owner's player (`/projects/:id/play`) and the completed / in progress toggle shown on it. */
export default fp(
  async (app) => {
    app.get('/projects/:id/play', { preHandler: ownProject() }, async (req, reply) => {
      const user = currentUser(req);
      const { project } = req;
      const { playlist, playlistJson } = await loadFilm(app, project);
      const here = `/projects/${project.id}/play`;
      reply.header('cache-control', 'no-store');
      return reply.render('player/play', {
        title: `${project.title} · Echoes`,
        bodyClass: 'page-watch',
        project: { id: project.id, title: project.title, status: project.status },
        status: { projectId: project.id, completed: project.status === 'completed', next: here },
        playlist,
        playlistJson,
        share: await sharePanel(app.db, app.config.publicUrl, user.id, project, { next: here }),
      });
    });

    const toggle = (status: ProjectStatus) => async (req: FastifyRequest, reply: FastifyReply) => {
      const project = await changeStatus(app.db, currentUser(req).id, req.project.id, status);
      const next = safeReturnPath(readForm(nextForm, req.body).next, `/projects/${project.id}/play`);
      const completed = project.status === 'completed';
      if (req.isHtmx) return reply.render('player/_status', { status: { projectId: project.id, completed, next } });
      flash(reply, 'notice', completed ? 'Marked as completed.' : 'Back in progress.');
      return reply.redirect(next, 303);
    };
    app.post('/projects/:id/complete', { preHandler: ownProject() }, toggle('completed'));
    app.post('/projects/:id/reopen', { preHandler: ownProject() }, toggle('in_progress'));
  },
  { name: 'player', dependencies: ['view', 'auth', 'projects'] },
);
