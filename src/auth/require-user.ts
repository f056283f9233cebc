import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { User } from '../platform/db-types.js';
import { safeReturnPath } from '../platform/view.js';

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

/** preHandler for every page that needs a signed-in person ("auth first"). */
export async function requireUser(req: FastifyRequest, reply: FastifyReply) {
  if (req.user) return;
  const target = `/login?next=${encodeURIComponent(returnPath(req))}`;
  if (req.isHtmx) {
    reply.header('HX-Redirect', target).code(401).send('');
    return reply;
  }
  reply.redirect(target, 303);
  return reply;
}

/** The signed-in user inside a route guarded by requireUser. */
export function currentUser(req: FastifyRequest): User {
  if (!req.user) throw new Error('currentUser() used on a route without requireUser');
  return req.user as User;
}

/** Pages anyone may see. /admin has its own sign-in; /auth/* and /logout are the way in and out. */
const PUBLIC_EXACT = new Set(['/', '/login', '/logout', '/healthz', '/metrics', '/manifest.webmanifest', '/webhooks/stripe', '/webhooks/luma', '/admin']);
const PUBLIC_PREFIXES = ['/auth/', '/s/', '/r/', '/media/', '/assets/', '/vendor/', '/admin/'];

export function isPublicRoute(url: string): boolean {
  return PUBLIC_EXACT.has(url) || PUBLIC_PREFIXES.some((p) => url.startsWith(p));
}

/**
 * onRoute hook: a route outside the public list gets requireUser in front of its own preHandlers,
 * so a feature that forgets to attach it is still not open to strangers. A deliberately public
 * route says so with `config: { public: true }`.
 */
export function guardRoute(route: RouteOptions): void {
  const config = route.config as { public?: boolean } | undefined;
  if (config?.public || isPublicRoute(route.url ?? '')) return;
  const own = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
  if (own.includes(requireUser as never)) return;
  route.preHandler = [requireUser as never, ...own];
}
