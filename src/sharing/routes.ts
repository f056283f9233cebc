import fp from 'fastify-plugin';
import { currentUser, requireUser } from '../auth/require-user.js';
import { getBalance } from '../credits/queries.js';
import { NotFoundError } from '../platform/errors.js';
import { flash, safeReturnPath } from '../platform/view.js';
import { planForProject } from '../beats/service.js';
import { buildPlaylist, playlistJson } from '../player/playlist.js';
import { listPlayableClips } from '../player/queries.js';
import { findProjectForUser } from '../projects/queries.js';
import { describeFilm, openGraph } from './open-graph.js';
import { sharePanel } from './panel.js';
import { findSharedProject } from './queries.js';
import { shareProject, unshareProject } from './service.js';

type IdParams = { Params: { id: string } };

const nextOf = (body: unknown, fallback: string) => safeReturnPath((body as { next?: unknown } | undefined)?.next, fallback);

/** Public links: share / unshare for the owner, and the public player at /s/:token for anyone. */
export default fp(
  async (app) => {
    const { db, storage, config } = app;

    app.get<IdParams>('/projects/:id/share', { preHandler: requireUser }, async (req, reply) => {
      const user = currentUser(req);
      const project = await findProjectForUser(db, user.id, req.params.id);
      if (!project) throw new NotFoundError();
      const clips = await listPlayableClips(db, project.id);
      const playlist = await buildPlaylist(storage, project, clips, await planForProject(app.db, project, clips.map((r) => ({ id: r.id, durationS: r.duration_s }))));
      reply.header('cache-control', 'no-store');
      return reply.render('sharing/share', {
        title: `Share ${project.title} · Echoes`,
        head: '<link rel="stylesheet" href="/assets/css/player.css">',
        project: { id: project.id, title: project.title },
        // How the link will unfurl: the same title, text and still as the public page's tags.
        preview: {
          domain: new URL(config.publicUrl).host,
          title: project.title,
          description: describeFilm(playlist),
          image: clips[0] ? await storage.signedUrl(clips[0].image_key) : null,
        },
        clipCount: clips.length,
        share: await sharePanel(db, config.publicUrl, user.id, project),
      });
    });

    app.post<IdParams>('/projects/:id/share', { preHandler: requireUser }, async (req, reply) => {
      const user = currentUser(req);
      const { earned } = await shareProject(db, user.id, req.params.id);
      const next = nextOf(req.body, `/projects/${req.params.id}/share`);
      if (req.isHtmx) {
        const project = (await findProjectForUser(db, user.id, req.params.id))!;
        const balance = earned ? await getBalance(db, user.id) : null;
        return reply.render('sharing/_panel', { share: await sharePanel(db, config.publicUrl, user.id, project, { earned, balance, next }) });
      }
      flash(reply, 'notice', `Your film is public: anyone with the link can watch it.${earned ? ` You earned ${earned} credit${earned === 1 ? '' : 's'} for sharing.` : ''}`);
      return reply.redirect(next, 303);
    });

    app.post<IdParams>('/projects/:id/unshare', { preHandler: requireUser }, async (req, reply) => {
      const user = currentUser(req);
      await unshareProject(db, user.id, req.params.id);
      const next = nextOf(req.body, `/projects/${req.params.id}/share`);
      if (req.isHtmx) {
        const project = (await findProjectForUser(db, user.id, req.params.id))!;
        return reply.render('sharing/_panel', { share: await sharePanel(db, config.publicUrl, user.id, project, { next }) });
      }
      flash(reply, 'notice', 'Sharing stopped: the public link no longer works.');
      return reply.redirect(next, 303);
    });

    app.get<{ Params: { token: string } }>('/s/:token', async (req, reply) => {
      const project = await findSharedProject(db, req.params.token);
      if (!project) throw new NotFoundError();
      const clips = await listPlayableClips(db, project.id);
      const playlist = await buildPlaylist(storage, project, clips, await planForProject(app.db, project, clips.map((r) => ({ id: r.id, durationS: r.duration_s }))));
      // Never cached anywhere: unsharing must kill the link at once, and media URLs expire.
      reply.header('cache-control', 'no-store');
      return reply.render('sharing/public', {
        title: project.title,
        og: await openGraph(storage, config.publicUrl, project, clips[0], playlist),
        playlist,
        playlistJson: playlistJson(playlist),
      });
    });
  },
  { name: 'sharing', dependencies: ['view', 'auth'] },
);
