import fp from 'fastify-plugin';
import { z } from 'zod';
import { admitSignIn } from '../limits/admit.js';
import { safeReturnPath } from '../platform/safe-return-path.js';
import { readForm } from '../platform/forms.js';
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
// safeReturnPath turns anything that is not a path on this site into the default.
const loginQuery = z.object({ next: z.unknown().optional() });

/** The way in and out is open to everyone. */
const open = { config: { access: 'public' as const } };

export default fp(
  async (app) => {
    app.get('/login', open, async (req, reply) => {
      const next = safeReturnPath(readForm(loginQuery, req.query).next);
      if (req.user) return reply.redirect(next, 303);
      return reply.render('auth/login', { next, title: 'Sign in · Echoes' });
    });

    // Ends the session on the server, so a copy of the old cookie signs no one in.
    app.post('/logout', open, async (req, reply) => {
      await req.logOut();
      await req.session.destroy();
      reply.clearCookie('sid', { path: '/' }).header('cache-control', 'no-store');
      return reply.redirect('/', 303);
    });

    if (app.config.googleEnabled) googleRoutes(app);

    // Try-it-now sign-in for a development machine only it can reach (config.devSignIn); absent
    // in production, when Google is set up, or when the server is reachable from elsewhere.
    if (app.config.devSignIn) {
      app.post('/auth/dev', open, async (req, reply) => {
        const { email, name, next } = readForm(devForm, req.body);
        const googleSub = `dev:${email}`;
        await admitSignIn(app.ctx, { ip: req.ip, subject: googleSub });
        const user = await signInProfile(
          app.db,
          { googleSub, email, name: name || email.split('@')[0]!, avatarUrl: null },
          rememberedReferral(req),
        );
        return finishSignIn(req, reply, user, next);
      });
    }

    referralRoutes(app);
  },
  { name: 'auth-routes', dependencies: ['auth', 'view'] },
);
