import fp from 'fastify-plugin';
import csrf from '@fastify/csrf-protection';
import { cookieSecure } from '../cookies.js';
import { csrfBinding } from '../csrf-token.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes that authenticate by other means (a signature) and take no browser form. */
const CSRF_EXEMPT = new Set(['/webhooks/stripe', '/webhooks/luma']);
/** The multipart upload forms, whose plain (no-JavaScript) version carries the token in its action URL. */
const QUERY_TOKEN_ROUTES = new Set(['/projects/:id/clips', '/projects/:id/photos', '/projects/:id/music']);

/**
 * Every state-changing request proves it came from our own page: a token bound to the browser's
 * secret cookie and its session cookies (csrf-token.ts), in the form, a header, or (multipart
 * uploads only) the URL.
 */
export default fp(
  async (app) => {
    const { config } = app;
    await app.register(csrf, {
      cookieKey: '_csrf',
      csrfOpts: { hmacKey: config.sessionSecret },
      getUserInfo: csrfBinding,
      cookieOpts: { httpOnly: true, sameSite: 'lax', secure: cookieSecure(config), path: '/', signed: true },
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
    // Multipart forms carry the token in the URL or header, because their body is only read later, as a stream.
    app.addHook('preHandler', (req, reply, done) => {
      const route = req.routeOptions.url ?? '';
      if (!STATE_CHANGING.has(req.method) || CSRF_EXEMPT.has(route)) return done();
      app.csrfProtection(req, reply, done);
    });
  },
  { name: 'csrf', dependencies: ['context', 'cookies', 'sessions', 'form-bodies'] },
);
