import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { UserError } from '../platform/errors.js';
import { safeReturnPath } from '../platform/safe-return-path.js';
import auditRoutes from './audit-log/routes.js';
import signInRoutes from './sign-in/routes.js';
import { requireAdmin } from './guard.js';
import failedJobsRoutes from './failed-jobs/routes.js';
import overviewRoutes from './overview/routes.js';
import packsRoutes from './packs/routes.js';
import { loadArgon2, passwordMode } from './password.js';
import settingsRoutes from './settings/routes.js';
import usersRoutes from './users/routes.js';

/** The admin page the person came from, for the error page's Back button. */
function backPath(req: FastifyRequest): string {
  try {
    const path = safeReturnPath(new URL(req.headers.referer ?? '/admin', 'http://local').pathname, '/admin');
    return path.startsWith('/admin') && path !== req.url ? path : '/admin';
  } catch {
    return '/admin';
  }
}

/** Refusals inside /admin keep the admin layout; anything else goes to the app's error pages. */
async function adminErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (!(err instanceof UserError) || req.isHtmx) throw err;
  return reply.code(err.statusCode).render('admin/error', { title: 'Admin · Echoes', status: err.statusCode, message: err.message, back: backPath(req) });
}

/** Every route of the admin area is guarded by the area itself (its sign-in, requireAdmin), not by the creators' guard. */
function markAdmin(route: RouteOptions): void {
  route.config = { ...route.config, access: 'admin' };
}

/**
 * /admin: sign-in (open) and every admin page and action (behind requireAdmin). Admin sign-in
 * has nothing to do with creators' Google accounts; see admin-session.ts. One folder per admin page
 * (routes, service, queries); the shared parts (session, guard, sign-in limits, audit) sit here.
 */
export default fp(
  async (app) => {
    if (passwordMode(app.config.ADMIN_PASSWORD) === 'argon2') {
      // Say so at boot rather than at the first sign-in attempt.
      await loadArgon2().catch((err: Error) => app.log.error(`${err.message} Admin sign-in will fail until it is installed.`));
    }

    await app.register(
      async (admin) => {
        admin.addHook('onRoute', markAdmin);
        admin.setErrorHandler(adminErrors);
        await admin.register(signInRoutes);
        await admin.register(async (guarded) => {
          guarded.addHook('preHandler', requireAdmin);
          await guarded.register(overviewRoutes);
          await guarded.register(packsRoutes);
          await guarded.register(settingsRoutes);
          await guarded.register(usersRoutes);
          await guarded.register(failedJobsRoutes);
          await guarded.register(auditRoutes);
        });
      },
      { prefix: '/admin' },
    );
  },
  { name: 'admin', dependencies: ['view', 'auth'] },
);
