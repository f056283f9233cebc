import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser, requireUser } from '../auth/require-user.js';
import { NotFoundError } from '../platform/errors.js';
import { flash, safeReturnPath } from '../platform/view.js';
import type { ProjectStatus } from '../platform/db-types.js';
import { findProjectForUser } from '../projects/queries.js';
import { sharePanel } from '../sharing/panel.js';
import { planForProject } from '../beats/service.js';
import { buildPlaylist, playlistJson } from './playlist.js';
import { listPlayableClips } from './queries.js';
import { changeStatus } from './service.js';

type IdParams = { Params: { id: string } };

/** The owner's player (`/projects/:id/play`) and the completed / in progress toggle shown on it. */
export default fp(
  async (app) => {
    app.get<IdParams>('/projects/:id/play', { preHandler: requireUser }, async (req, reply) => {
      const user = currentUser(req);
      const project = await findProjectForUser(app.db, user.id, req.params.id);
      if (!project) throw new NotFoundError();
      const rows = await listPlayableClips(app.db, project.id);
      const plan = await planForProject(app.db, project, rows.map((r) => ({ id: r.id, durationS: r.duration_s })));
      const playlist = await buildPlaylist(app.storage, project, rows, plan);
      const here = `/projects/${project.id}/play`;
      reply.header('cache-control', 'no-store');
      return reply.render('player/play', {
        title: `${project.title} · Echoes`,
        head: '<link rel="stylesheet" href="/assets/css/player.css"><script src="/assets/js/player.js" defer></script>',
        bodyClass: 'page-watch',
        project: { id: project.id, title: project.title, status: project.status },
        status: { projectId: project.id, completed: project.status === 'completed', next: here },
        playlist,
        playlistJson: playlistJson(playlist),
        share: await sharePanel(app.db, app.config.publicUrl, user.id, project, { next: here }),
      });
    });

    const toggle = (status: ProjectStatus) => async (req: FastifyRequest<IdParams>, reply: FastifyReply) => {
      const user = currentUser(req);
      const project = await changeStatus(app.db, user.id, req.params.id, status);
      const next = safeReturnPath((req.body as { next?: unknown } | undefined)?.next, `/projects/${project.id}/play`);
      const completed = project.status === 'completed';
      if (req.isHtmx) return reply.render('player/_status', { status: { projectId: project.id, completed, next } });
      flash(reply, 'notice', completed ? 'Marked as completed.' : 'Back in progress.');
      return reply.redirect(next, 303);
    };
    app.post<IdParams>('/projects/:id/complete', { preHandler: requireUser }, toggle('completed'));
    app.post<IdParams>('/projects/:id/reopen', { preHandler: requireUser }, toggle('in_progress'));
  },
  { name: 'player', dependencies: ['view', 'auth'] },
);
