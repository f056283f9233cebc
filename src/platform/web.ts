import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from 'helmet';
import multipart from '@fastify/multipart';
import session from '@fastify/session';
import fstatic from '@fastify/static';
import view from '@fastify/view';
import path from 'node:path';
import qs from 'node:querystring';
import { PUBLIC_DIR, ROOT, VIEWS_DIR } from './paths.js';
import { PgSessionStore } from './session-store.js';
import { followChanges, SessionCache } from './session-cache.js';
import { ChangeFeed } from './change-feed.js';
import { PersonReads } from './person-reads.js';
import { cookieSecure, httpsOnly } from './cookies.js';
import { rememberingSigner } from './cookie-signer.js';
import { asciiTemplates, escapeHtml } from './ascii-html.js';
import { csrfBinding } from './csrf-token.js';
import { ViewEngine } from './eta.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes that authenticate by other means (a signature) and take no browser form. */
const CSRF_EXEMPT = new Set(['/webhooks/stripe', '/webhooks/luma']);
/** The multipart upload forms, whose plain (no-JavaScript) version carries the token in its action URL. */
const QUERY_TOKEN_ROUTES = new Set(['/projects/:id/clips', '/projects/:id/photos', '/projects/:id/music']);

/** HTTP plumbing shared by every feature: security headers, cookies, sessions, CSRF, views, static files. */
export default fp(
  async (app) => {
    const { config } = app;
    const production = config.NODE_ENV === 'production';
    const secure = cookieSecure(config);
    const https = httpsOnly(config);
    const mediaOrigins = app.storage.mediaOrigins;

    // Security headers, worked out once: @fastify/helmet built Helmet's middleware (and parsed the
    // CSP) again on every request.
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:', ...mediaOrigins, 'https://*.googleusercontent.com'],
          mediaSrc: ["'self'", 'blob:', ...mediaOrigins],
          connectSrc: ["'self'", ...mediaOrigins],
          formAction: ["'self'", 'https://checkout.stripe.com', ...(config.STRIPE_API_URL ? [new URL(config.STRIPE_API_URL).origin] : []), ...(config.googleEnabled ? [new URL(config.GOOGLE_AUTH_URL).origin] : [])],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: https ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: https,
    });
    app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)));

    const signer = rememberingSigner(config.sessionSecret);
    await app.register(cookie, { secret: signer });
    // Form bodies parse into plain objects; repeated fields (clip_ids) become arrays.
    await app.register(formbody, { parser: (s) => qs.parse(s), bodyLimit: 256 * 1024 });
    await app.register(multipart, {
      limits: { files: 1, fields: 10, fieldSize: 16 * 1024, parts: 12, fileSize: Math.max(config.MAX_IMAGE_BYTES, config.MAX_MUSIC_BYTES) },
    });
    // An upload refused mid-stream (too large, not ours) leaves the rest of the body unread and the
    // socket paused, so it would never notice the client leave. Drain what still arrives (the client
    // can then read the answer) and drop a client that keeps sending past a grace period.
    app.addHook('onResponse', async (req) => {
      if (req.raw.complete !== false) return; // read to the end (or not a real socket: app.inject)
      const timer = setTimeout(() => req.raw.socket?.destroy(), 10_000).unref();
      req.raw.once('close', () => clearTimeout(timer));
      req.raw.resume();
    });
    // Who is asking, without a query on most requests: signed-in sessions are cached for a few
    // seconds, and what their pages read is kept the same way; both follow the database's change
    // feed (one LISTEN connection per web process), which reports every committed change to a
    // person's rows, whoever made it.
    const feed = new ChangeFeed(config.DATABASE_URL, app.log);
    app.decorate('changeFeed', feed);
    const sessionCache = new SessionCache();
    const personReads = new PersonReads();
    app.decorate('personReads', personReads);
    const stopFollowing = followChanges(feed, [sessionCache, personReads]);
    await feed.start();
    // Before anything about the person is served from memory, this process has heard every change
    // committed before the request arrived (one shared round trip on the feed's connection).
    app.addHook('onRequest', async (req) => {
      if (req.headers.cookie?.includes('sid=')) await feed.barrier();
    });
    app.addHook('onClose', async () => {
      stopFollowing();
      await feed.close();
    });
    await app.register(session, {
      secret: signer,
      cookieName: 'sid',
      store: new PgSessionStore(app.db, { cache: sessionCache }),
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 30 * 24 * 3600 * 1000 },
    });
    await app.register(csrf, {
      cookieKey: '_csrf',
      csrfOpts: { hmacKey: config.sessionSecret },
      getUserInfo: csrfBinding,
      cookieOpts: { httpOnly: true, sameSite: 'lax', secure, path: '/', signed: true },
      getToken: (req) => {
        const body = req.body as Record<string, unknown> | undefined;
        const q = req.query as Record<string, unknown> | undefined;
        const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
        // In the URL only where a browser without JavaScript needs it: a multipart form's body is
        // read after this check. Anywhere else a token in a URL (logs, Referer) is not accepted.
        const fromQuery = q && typeof q._csrf === 'string' && QUERY_TOKEN_ROUTES.has(req.routeOptions.url ?? '') ? q._csrf : undefined;
        return fromBody ?? (req.headers['x-csrf-token'] as string | undefined) ?? fromQuery;
      },
    });

    app.decorateRequest('isHtmx', false);
    app.addHook('onRequest', async (req) => {
      req.isHtmx = req.headers['hx-request'] === 'true';
    });
    // Every state-changing request proves it came from our own page. Multipart forms carry the
    // token in the URL or header, because their body is only read later, as a stream.
    app.addHook('preHandler', (req, reply, done) => {
      const route = req.routeOptions.url ?? '';
      if (!STATE_CHANGING.has(req.method) || CSRF_EXEMPT.has(route)) return done();
      app.csrfProtection(req, reply, done);
    });

    // Static files are public. @fastify/static takes no route config, so the routes it adds are
    // marked as they are registered, by a hook that marks nothing outside these two registrations.
    let staticRoutes = true;
    app.addHook('onRoute', (route) => {
      if (staticRoutes) route.config = { ...route.config, access: 'public', staticFiles: true };
    });
    await app.register(fstatic, {
      root: PUBLIC_DIR,
      prefix: '/assets/',
      maxAge: production ? '7d' : 0,
    });
    await app.register(fstatic, {
      root: path.join(ROOT, 'node_modules/htmx.org/dist'),
      prefix: '/vendor/htmx/',
      decorateReply: false,
      allowedPath: (p) => p === '/htmx.min.js' || p === '/htmx.js' || p === '/ext/hx-sse.min.js',
    });
    staticRoutes = false;

    await app.register(view, {
      // Templates are compiled once, except in development where edits show on reload.
      // Pages are sent in ASCII, anything else as references (ascii-html.ts says why).
      engine: {
        eta: new ViewEngine({ views: VIEWS_DIR, cache: config.NODE_ENV !== 'development', autoEscape: true, escapeFunction: escapeHtml, plugins: [asciiTemplates] }),
      },
      root: VIEWS_DIR,
      viewExt: 'eta',
      production: config.NODE_ENV !== 'development',
      propertyName: 'view',
      asyncPropertyName: 'viewAsync',
    });
  },
  { name: 'web', dependencies: ['context'] },
);
