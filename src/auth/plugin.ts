import fp from 'fastify-plugin';
import { Authenticator } from '@fastify/passport';
import { createGoogleStrategy } from './google.js';
import { findUserById } from './queries.js';
import { guardRoute } from './require-user.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's passport (one per app, so test apps built side by side never share state). */
    authenticator: InstanceType<typeof Authenticator>;
  }
}

/**
 * Sessions carry only the user id; each request loads the user fresh, so a disabled account
 * (or a deleted one) is signed out at its next request. The session store reads the user in the
 * same query as the session (a join) and keeps it with the session; the lookup here is only the fallback.
 */
export default fp(
  async (app) => {
    const passport = new Authenticator();
    passport.registerUserSerializer(async (user: { id: string }) => user.id);
    passport.registerUserDeserializer(async (id: string, req: { session?: { sessionId?: string } }) => {
      if (typeof id !== 'string') return null;
      const joined = app.sessionStore.userOf(req.session?.sessionId, id);
      const user = joined !== undefined && (joined === null || joined.id === id) ? joined : await findUserById(app.db, id);
      if (!user || user.disabled_at) return null;
      return user;
    });
    if (app.config.googleEnabled) passport.use('google', createGoogleStrategy(app.config));
    app.decorate('authenticator', passport);
    await app.register(passport.initialize());
    await app.register(passport.secureSession());
    // "Auth first": every route registered after this point is for signed-in creators unless its
    // own options say otherwise (config.access; see require-user.ts).
    app.addHook('onRoute', guardRoute);
    // Nothing a signed-in person or an admin sees is kept by the browser (or a proxy): after
    // signing out, Back must not show the last private page from the cache. Public routes keep
    // their own caching (media links), but a signed-in person's page is theirs alone.
    app.addHook('onSend', (req, reply, payload, done) => {
      const access = req.routeOptions.config?.access;
      if (access !== 'public' || (req.user && !reply.hasHeader('cache-control'))) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
  },
  // After the static files: their routes are public, and the guard applies to routes added after it.
  { name: 'auth', dependencies: ['sessions', 'static-files'] },
);
