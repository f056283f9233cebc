import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { randomUUID } from 'node:crypto';
import type { AppContext } from './platform/context.js';
import { loggerOptions } from './platform/logger.js';
import { fastifyTrustProxy, peerIsTrustedProxy } from './platform/trust-proxy.js';
import contextPlugin from './platform/context-plugin.js';
import securityHeaders from './platform/web/security-headers.js';
import cookies from './platform/web/cookies.js';
import formBodies from './platform/web/form-bodies.js';
import uploads from './platform/web/uploads.js';
import changeFeed from './platform/web/change-feed.js';
import personReads from './platform/web/person-reads.js';
import sessions from './platform/web/sessions.js';
import csrf from './platform/web/csrf.js';
import htmx from './platform/web/htmx.js';
import staticFiles from './platform/web/static-files.js';
import templates from './platform/web/templates.js';
import view from './platform/view.js';
import errorPages from './platform/error-pages.js';
import compression from './platform/compression.js';
import metrics from './platform/metrics.js';
import auth from './auth/plugin.js';
import authRoutes from './auth/routes.js';
import health from './health/routes.js';
import media from './storage/routes.js';
import landing from './pages/landing.js';
import projects from './projects/routes.js';
import projectPage from './pages/project/routes.js';
import clips from './clips/routes.js';
import clipFocus from './clips/focus-routes.js';
import takes from './takes/routes.js';
import photos from './photos/routes.js';
import shape from './shape/routes.js';
import music from './music/routes.js';
import beats from './beats/routes.js';
import creditsPage from './pages/credits/routes.js';
import billing from './billing/routes.js';
import player from './player/routes.js';
import sharing from './sharing/routes.js';
import exportFeature from './export/routes.js';
import generation from './generation/routes.js';
import account from './account/routes.js';
import admin from './admin/routes.js';
import live from './live/routes.js';
import film from './film/routes.js';
import undo from './undo/routes.js';

/** Builds the web app: platform plugins first, then one line per feature (the table of contents). */
export async function buildApp(ctx: AppContext, opts: { logStream?: DestinationStream } = {}): Promise<FastifyInstance> {
  const fromTrustedProxy = peerIsTrustedProxy(ctx.config.trustProxy);
  const app = Fastify({
    logger: ctx.config.LOG_LEVEL === 'silent' ? false : { ...loggerOptions(ctx.config.LOG_LEVEL), stream: opts.logStream },
    // A request id sent by a trusted proxy ties our logs to its own; one sent by a client is its
    // word only, and could name another person's request (a clip's request_id, /admin/jobs).
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      if (typeof given === 'string' && /^[\w-]{8,64}$/.test(given) && fromTrustedProxy(req.socket?.remoteAddress)) return given;
      return randomUUID();
    },
    requestIdHeader: false,
    // Forwarded headers are believed only from the proxies TRUST_PROXY names (none by default).
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });

  await app.register(contextPlugin, { ctx });
  await app.register(metrics);
  // HTTP plumbing, each plugin naming what it needs (src/platform/web/); the order is the order of their hooks.
  await app.register(securityHeaders);
  await app.register(cookies);
  await app.register(formBodies);
  await app.register(uploads);
  await app.register(changeFeed);
  await app.register(personReads);
  await app.register(sessions);
  await app.register(csrf);
  await app.register(htmx);
  await app.register(staticFiles);
  await app.register(templates);
  await app.register(view);
  await app.register(errorPages);
  await app.register(auth);
  // Last of the answer's hooks: it compresses the body the others have settled.
  await app.register(compression);

  await app.register(health);
  await app.register(media);
  await app.register(landing);
  await app.register(authRoutes);
  await app.register(projects);
  await app.register(projectPage);
  await app.register(clips);
  await app.register(clipFocus);
  await app.register(takes);
  await app.register(film);
  await app.register(photos);
  await app.register(shape);
  await app.register(music);
  await app.register(beats);
  await app.register(creditsPage);
  await app.register(billing);
  await app.register(player);
  await app.register(sharing);
  await app.register(exportFeature);
  await app.register(generation);
  await app.register(account);
  await app.register(admin);
  await app.register(live);
  await app.register(undo);
  return app;
}
