import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../platform/db-types.js';

/** preHandler for every page that needs a signed-in person ("auth first"). */
export async function requireUser(req: FastifyRequest, reply: FastifyReply) {
  if (req.user) return;
  const next = encodeURIComponent(req.method === 'GET' ? req.url : (req.headers['hx-current-url'] ? new URL(String(req.headers['hx-current-url'])).pathname : '/projects'));
  const target = `/login?next=${next}`;
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
