import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { User } from '../platform/db-types.js';
import { safeReturnPath } from '../platform/safe-return-path.js';

/** Where to come back to after signing in: the page the person was on, never a fragment URL. */
function returnPath(req: FastifyRequest): string {
  if (req.isHtmx) {
    try {
      const current = new URL(String(req.headers['hx-current-url'] ?? ''));
      return safeReturnPath(current.pathname + current.search);
    } catch {
      return safeReturnPath(undefined);
    }
  }
  return req.method === 'GET' ? safeReturnPath(req.url) : safeReturnPath(undefined);
}

/**
 * The one guard ("auth first"), in front of every route: a route is for signed-in creators unless
 * its own options say `config: { access: 'public' }` (anyone) or `'admin'` (the admin area, which
 * guards itself). Read per request, so a marker set by a later onRoute hook (the admin area's)
 * counts too. Anything else, a mistyped marker included, needs a creator.
 */
export async function requireUser(req: FastifyRequest, reply: FastifyReply) {
  const access = req.routeOptions.config.access;
  if (access === 'public' || access === 'admin' || req.user) return;
  const target = `/login?next=${encodeURIComponent(returnPath(req))}`;
  if (req.isHtmx) {
    reply.header('HX-Redirect', target).code(401).send('');
    return reply;
  }
  reply.redirect(target, 303);
  return reply;
}

/** The signed-in user inside a creator's route. */
export function currentUser(req: FastifyRequest): User {
  if (!req.user) throw new Error('currentUser() used on a route that is not for signed-in creators');
  return req.user as User;
}

/** onRoute hook: puts the guard in front of the route's own preHandlers (ownership checks need the user). */
export function guardRoute(route: RouteOptions): void {
  const own = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
  route.preHandler = [requireUser as never, ...own];
}
