import type { FastifyReply, FastifyRequest } from 'fastify';
import { readAdminSession } from './admin-session.js';
import { passwordMode } from './password.js';
import type { AdminCtx } from './audit.js';

/** The page shown at every admin URL when ADMIN_PASSWORD is not set. */
export function renderDisabled(reply: FastifyReply) {
  return reply.code(404).render('admin/disabled', { title: 'Admin disabled · Echoes' });
}

/**
 * preHandler of every admin page and action: without a valid admin session, pages send the
 * browser to the admin sign-in (and back afterwards), actions are refused the same way.
 */
export async function requireAdmin(req: FastifyRequest, reply: FastifyReply) {
  const { config } = req.server;
  if (passwordMode(config.ADMIN_PASSWORD) === 'disabled') return renderDisabled(reply);
  const until = await readAdminSession(req.server.db, req, config);
  if (until) {
    reply.locals = { ...reply.locals, adminUntil: until };
    return;
  }
  const target = req.method === 'GET' ? `/admin/login?next=${encodeURIComponent(req.url)}` : '/admin/login';
  if (req.isHtmx) return reply.header('HX-Redirect', target).code(401).send('');
  return reply.redirect(target, 303);
}

export function adminCtx(req: FastifyRequest): AdminCtx {
  return { ip: req.ip };
}
