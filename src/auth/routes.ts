import fp from 'fastify-plugin';
import { z } from 'zod';
import { safeReturnPath } from '../platform/view.js';
import { UserError } from '../platform/errors.js';
import { signInProfile } from './service.js';
import { REFERRAL_COOKIE } from './referral.js';

const devForm = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address.').max(200),
  name: z.string().trim().max(100).optional().default(''),
  next: z.string().optional(),
});

export default fp(
  async (app) => {
    app.get('/login', async (req, reply) => {
      if (req.user) return reply.redirect(safeReturnPath((req.query as { next?: string }).next), 303);
      return reply.render('auth/login', { next: safeReturnPath((req.query as { next?: string }).next), title: 'Sign in · Echoes' });
    });

    app.post('/logout', async (req, reply) => {
      await req.logOut();
      await req.session.destroy();
      return reply.redirect('/', 303);
    });

    // Try-it-now sign-in for development machines; absent in production or when Google is set up.
    if (!app.config.googleEnabled && app.config.NODE_ENV !== 'production') {
      app.post('/auth/dev', async (req, reply) => {
        const parsed = devForm.safeParse(req.body ?? {});
        if (!parsed.success) throw new UserError(parsed.error.issues[0]!.message);
        const { email, name, next } = parsed.data;
        const user = await signInProfile(
          app.db,
          { googleSub: `dev:${email}`, email, name: name || email.split('@')[0]!, avatarUrl: null },
          req.cookies[REFERRAL_COOKIE] ?? null,
        );
        await req.logIn(user);
        reply.clearCookie(REFERRAL_COOKIE, { path: '/' });
        return reply.redirect(safeReturnPath(next), 303);
      });
    }
  },
  { name: 'auth-routes', dependencies: ['auth', 'view'] },
);
