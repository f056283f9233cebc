import fp from 'fastify-plugin';
import { z } from 'zod';
import { currentUser } from '../auth/require-user.js';
import { getBalance } from '../credits/queries.js';
import { admitShare } from '../limits/admit.js';
import { NotFoundError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { safeReturnPath } from '../platform/safe-return-path.js';
import { flash } from '../platform/view.js';
import { listPlayableClips } from '../film/queries.js';
import { loadFilm } from '../film/service.js';
import { playlistData } from '../film/playlist.js';
import { ownProject } from '../projects/own.js';
import { describeFilm, openGraph } from './open-graph.js';
import { sharePanel } from './panel.js';
import { findSharedProject } from './queries.js';
import { shareProject, unshareProject } from './service.js';
import { credits } from '../platform/format.js';

const tokenParams = z.object({ token: z.string() });
/** Where to go afterwards, if the form says; safeReturnPath keeps it on this site. */
const nextForm = z.object({ next: z.unknown().optional() }).catch({ next: undefined });

const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
const imageType = (key: string) => IMAGE_TYPES[key.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';

const nextOf = (body: unknown, fallback: string) => safeReturnPath(readForm(nextForm, body).next, fallback);

/**
 * The public player's media URLs last minutes, not the hour the owner's do, and only while the
 * link is shared (the local driver checks the share on every request; S3 URLs just run out): the
 * page renews them every RENEW_EVERY_S at /s/:token/playlist, which answers only while shared.
 */
export const SHARED_MEDIA_TTL_S = 300;
const RENEW_EVERY_S = 120;

const sharedMedia = (token: string) => ({
  sign: { expiresInS: SHARED_MEDIA_TTL_S, scope: `share:${token}` },
  renew: { url: `/s/${encodeURIComponent(token)}/playlist`, everyS: RENEW_EVERY_S },
});

/** Public links: share / unshare for the owner, and the public player at /s/:token for anyone. */
export default fp(
  async (app) => {
    const { db, storage, config } = app;

    const own = { preHandler: ownProject() };
    app.mediaScopes.set('share', async (token) => (await findSharedProject(db, token)) !== undefined);

    app.get('/projects/:id/share', own, async (req, reply) => {
      const user = currentUser(req);
      const { project } = req;
      const { clips, playlist, playlistJson } = await loadFilm(app, project);
      reply.header('cache-control', 'no-store');
      return reply.render('sharing/share', {
        title: `Share ${project.title} · Echoes`,
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

    app.post('/projects/:id/share', own, async (req, reply) => {
      const user = currentUser(req);
      await admitShare(app.ctx, user.id);
      const { token, earned } = await shareProject(db, user.id, req.project.id);
      const next = nextOf(req.body, `/projects/${req.project.id}/share`);
      if (req.isHtmx) {
        const project = { ...req.project, share_token: token };
        const balance = earned ? await getBalance(db, user.id) : null;
        return reply.render('sharing/_panel', { share: await sharePanel(db, config.publicUrl, user.id, project, { earned, balance, next }) });
      }
      flash(reply, 'notice', `Your film is public: anyone with the link can watch it.${earned ? ` You earned ${credits(earned)} for sharing.` : ''}`);
      return reply.redirect(next, 303);
    });

    app.post('/projects/:id/unshare', own, async (req, reply) => {
      const user = currentUser(req);
      await unshareProject(db, user.id, req.project.id);
      const next = nextOf(req.body, `/projects/${req.project.id}/share`);
      if (req.isHtmx) {
        const project = { ...req.project, share_token: null };
        return reply.render('sharing/_panel', { share: await sharePanel(db, config.publicUrl, user.id, project, { next }) });
      }
      flash(reply, 'notice', 'Sharing stopped: the public link no longer works.');
      return reply.redirect(next, 303);
    });

    const publicPage = { config: { access: 'public' as const } };

    app.get('/s/:token', publicPage, async (req, reply) => {
      const { token } = readForm(tokenParams, req.params);
      const project = await findSharedProject(db, token);
      if (!project) throw new NotFoundError();
      const { clips, playlist, playlistJson } = await loadFilm(app, project, sharedMedia(token));
      // Never cached anywhere: unsharing must kill the link at once, and media URLs expire.
      reply.header('cache-control', 'no-store');
      return reply.render('sharing/public', {
        title: project.title,
        og: openGraph(config.publicUrl, project, clips[0], playlist),
        playlist,
        playlistJson,
      });
    });

    // Fresh media URLs for an open public player, while (and only while) the link is shared.
    app.get('/s/:token/playlist', publicPage, async (req, reply) => {
      const { token } = readForm(tokenParams, req.params);
      const project = await findSharedProject(db, token);
      if (!project) throw new NotFoundError();
      const { playlist } = await loadFilm(app, project, sharedMedia(token));
      reply.header('cache-control', 'no-store');
      return reply.type('application/json').send(playlistData(playlist));
    });

    // The link preview's picture: the still of the film's first clip, only while the link is shared.
    app.get('/s/:token/poster', publicPage, async (req, reply) => {
      const project = await findSharedProject(db, readForm(tokenParams, req.params).token);
      const first = project ? (await listPlayableClips(db, project.id))[0] : undefined;
      if (!first) throw new NotFoundError();
      const body = await storage.get(first.image_key).catch(() => null);
      if (!body) throw new NotFoundError();
      reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      return reply.type(imageType(first.image_key)).send(body);
    });
  },
  { name: 'sharing', dependencies: ['view', 'auth', 'projects', 'media'] },
);
