import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findLatestStoredExport } from '../export/queries.js';
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
import { ownProject } from '../projects/own.js';
import { describeFilm, openGraph, posterLink } from './open-graph.js';
import { filmPoster, posterSize } from './poster.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { sharePanel } from './panel.js';
import { findSharedProject } from './queries.js';
import { shareProject, unshareProject } from './service.js';
import { credits } from '../platform/format.js';

const tokenParams = z.object({ token: z.string() });
/** Where to go afterwards, if the form says; safeReturnPath keeps it on this site. */
const nextForm = z.object({ next: z.unknown().optional() }).catch({ next: undefined });


const nextOf = (body: unknown, fallback: string) => safeReturnPath(readForm(nextForm, body).next, fallback);

/** Public links: share / unshare for the owner, and the public player at /s/:token for anyone. */
export default fp(
  async (app) => {
    const { db, storage, config } = app;

    const own = { preHandler: ownProject() };

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

    /** The public film page, or (embed) the player alone for another site's iframe. */
    async function filmPage(req: FastifyRequest, reply: FastifyReply, template: 'sharing/public' | 'sharing/embed') {
      const project = await findSharedProject(db, readForm(tokenParams, req.params).token);
      if (!project) throw new NotFoundError();
      const { clips, playlist, playlistJson } = await loadFilm(app, project);
      const exported = Boolean(await findLatestStoredExport(db, project.id));
      // Never cached anywhere: unsharing must kill the link at once, and media URLs expire.
      reply.header('cache-control', 'no-store');
      return reply.render(template, {
        title: project.title,
        og: openGraph(config.publicUrl, project, clips[0], playlist, { exported }),
        // Same-origin: the poster is the only thing the page downloads before play.
        poster: clips[0] ? new URL(posterLink(config.publicUrl, project.share_token!)).pathname : null,
        playlist,
        playlistJson,
      });
    }

    app.get('/s/:token', publicPage, (req, reply) => filmPage(req, reply, 'sharing/public'));

    // Framed by the platforms a link is shared on (twitter:player): the one page any site may frame.
    // It holds no form and no action, only the player (nothing to trick a click into).
    app.get('/s/:token/embed', publicPage, (req, reply) => {
      const csp = reply.raw.getHeader('content-security-policy');
      if (typeof csp === 'string') reply.raw.setHeader('content-security-policy', csp.replace("frame-ancestors 'none'", 'frame-ancestors https:'));
      reply.raw.removeHeader('x-frame-options');
      return filmPage(req, reply, 'sharing/embed');
    });

    // The film as one file for og:video: the latest export, signed for a short while at each visit.
    app.get('/s/:token/film.mp4', publicPage, async (req, reply) => {
      const project = await findSharedProject(db, readForm(tokenParams, req.params).token);
      const exported = project ? await findLatestStoredExport(db, project.id) : undefined;
      if (!exported?.object_key) throw new NotFoundError();
      reply.header('cache-control', 'no-store');
      return reply.redirect(await storage.signedUrl(exported.object_key), 302);
    });

    // The film's poster and link preview picture: the first clip's still in the film's frame, at
    // most 100 KB (poster.ts), only while the link is shared.
    app.get('/s/:token/poster', publicPage, async (req, reply) => {
      const project = await findSharedProject(db, readForm(tokenParams, req.params).token);
      const first = project ? (await listPlayableClips(db, project.id))[0] : undefined;
      if (!project || !first) throw new NotFoundError();
      const size = posterSize(ratioOrDefault(project.ratio, '1280:720'));
      const body = await filmPoster(storage, first.image_key, size).catch(() => null);
      if (!body) throw new NotFoundError();
      reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      return reply.type('image/jpeg').send(body);
    });
  },
  { name: 'sharing', dependencies: ['view', 'auth', 'projects'] },
);
