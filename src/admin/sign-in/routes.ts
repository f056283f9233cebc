import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readForm } from '../../platform/forms.js';
import { safeReturnPath } from '../../platform/safe-return-path.js';
import { endAdminSession, readAdminSession, startAdminSession } from '../admin-session.js';
import { renderDisabled } from '../guard.js';
import { admitAdminSignIn, adminSignInSucceeded } from '../login-limiter.js';
import { AdminPasswordConfigError, checkAdminPassword, passwordMode } from '../password.js';
import { recordAudit } from '../audit.js';
import { count } from '../../platform/format.js';

const loginForm = z.object({
  password: z.string().max(1024).catch(''),
  next: z.string().optional(),
});

const nextQuery = z.object({ next: z.unknown().optional() });

/** Only admin pages are valid places to return to after the admin sign-in. */
function adminReturnPath(value: unknown): string {
  const path = safeReturnPath(value, '/admin');
  return path === '/admin' || path.startsWith('/admin/') || path.startsWith('/admin?') ? path : '/admin';
}

function minutesText(seconds: number): string {
  return count(Math.ceil(seconds / 60), 'minute');
}

function waitMessage(seconds: number): string {
  return `Too many failed attempts. Wait ${minutesText(seconds)} and try again.`;
}

function lockedMessage(seconds: number, now = Date.now()): string {
  const at = new Date(now + seconds * 1000).toISOString().slice(11, 16);
  return `Admin sign-in is locked for everyone after too many failed attempts. Try again in ${minutesText(seconds)} (at ${at} UTC).`;
}

/** GET/POST /admin/login and POST /admin/logout: the admin's own sign-in, apart from Google accounts. */
export default async function signInRoutes(app: FastifyInstance) {
  const { config, db } = app;
  const page = (data: Record<string, unknown>) => ({ title: 'Admin sign-in · Echoes', error: null, next: '/admin', ...data });

  app.get('/login', async (req, reply) => {
    if (passwordMode(config.ADMIN_PASSWORD) === 'disabled') return renderDisabled(reply);
    const next = adminReturnPath(readForm(nextQuery, req.query).next);
    if (await readAdminSession(db, req, config)) return reply.redirect(next, 303);
    return reply.render('admin/login', page({ next }));
  });

  app.post('/login', async (req, reply) => {
    if (passwordMode(config.ADMIN_PASSWORD) === 'disabled') return renderDisabled(reply);
    const { password, next } = readForm(loginForm, req.body);
    const data = page({ next: adminReturnPath(next) });
    const admitted = await admitAdminSignIn(app.ctx, req.ip);
    if (!admitted.ok) {
      reply.header('retry-after', String(admitted.waitS));
      return reply.code(429).render('admin/login', { ...data, error: admitted.scope === 'address' ? waitMessage(admitted.waitS) : lockedMessage(admitted.waitS) });
    }
    let ok: boolean;
    try {
      ok = await checkAdminPassword(config.ADMIN_PASSWORD, password);
    } catch (err) {
      if (!(err instanceof AdminPasswordConfigError)) throw err;
      req.log.error({ err }, 'admin sign-in misconfigured');
      return reply.code(503).render('admin/login', { ...data, error: `Admin sign-in is misconfigured: ${err.message}` });
    }
    if (!ok) {
      await recordAudit(app.db, { ip: req.ip }, { action: 'admin.login_failed' });
      return reply.code(401).render('admin/login', { ...data, error: 'That password is not right.' });
    }
    await adminSignInSucceeded(app.ctx, req.ip);
    const { until, ref } = await startAdminSession(db, req, reply, config);
    await recordAudit(db, { ip: req.ip }, { action: 'admin.login', after: { session: ref, until: until.toISOString(), userAgent: req.headers['user-agent'] ?? null } });
    return reply.redirect(data.next, 303);
  });

  app.post('/logout', async (req, reply) => {
    const ended = await endAdminSession(db, req, reply, config);
    if (ended) await recordAudit(db, { ip: req.ip }, { action: 'admin.logout', after: { session: ended } });
    return reply.redirect('/admin/login', 303);
  });
}
