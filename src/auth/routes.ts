import fp from 'fastify-plugin';
import { z } from 'zod';
import { admitSignIn } from '../limits/admit.js';
import { safeReturnPath } from '../platform/view.js';
import { UserError } from '../platform/errors.js';
import { googleRoutes } from './google-routes.js';
import { referralRoutes } from './referral-routes.js';
import { rememberedReferral } from './referral.js';
import { signInProfile } from './service.js';
import { finishSignIn } from './sign-in.js';

const devForm = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address.').max(200),
  name: z.string().trim().max(100).optional().default(''),
  next: z.string().optional(),
});

export default fp(
  async (app) => {
    app.get('/login', async (req, reply) => {
      const next = safeReturnPath((req.query as { next?: string }).next);
      if (req.user) return reply.redirect(next, 303);
      return reply.render('auth/login', { next, title: 'Sign in · Echoes' });
    });

    // Ends the session on the server, so a copy of the old cookie signs no one in.
    app.post('/logout', async (req, reply) => {
      await req.logOut();
      await req.session.destroy();
      reply.clearCookie('sid', { path: '/' });
      return reply.redirect('/', 303);
    });

    if (app.config.googleEnabled) googleRoutes(app);

    // Try-it-now sign-in for a development machine only it can reach (config.devSignIn); absent
    // in production, when Google is set up, or when the server is reachable from elsewhere.
    if (app.config.devSignIn) {
      app.post('/auth/dev', async (req, reply) => {
        const parsed = devForm.safeParse(req.body ?? {});
        if (!parsed.success) throw new UserError(parsed.error.issues[0]!.message);
        const { email, name, next } = parsed.data;
        await admitSignIn(app.ctx, { ip: req.ip, email });
        const user = await signInProfile(
          app.db,
          { googleSub: `dev:${email}`, email, name: name || email.split('@')[0]!, avatarUrl: null },
          rememberedReferral(req),
        );
        return finishSignIn(req, reply, user, next);
      });
    }

    referralRoutes(app);
  },
  { name: 'auth-routes', dependencies: ['auth', 'view'] },
);
