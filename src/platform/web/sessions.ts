import fp from 'fastify-plugin';
import session from '@fastify/session';
import { cookieSecure } from '../cookies.js';
import { PgSessionStore } from '../session-store.js';
import { followChanges, SessionCache } from '../session-cache.js';

/**
 * Sessions in the database (cookie `sid`, 30 days), cached for a few seconds in this process and
 * forgotten on any change to the person (the change feed), so most requests need no query.
 */
export default fp(
  async (app) => {
    const sessionCache = new SessionCache();
    const stopFollowing = followChanges(app.changeFeed, [sessionCache]);
    app.addHook('onClose', async () => stopFollowing());
    const store = new PgSessionStore(app.db, { cache: sessionCache });
    app.decorate('sessionStore', store);
    await app.register(session, {
      secret: app.cookieSigner,
      cookieName: 'sid',
      store,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: cookieSecure(app.config), path: '/', maxAge: 30 * 24 * 3600 * 1000 },
    });
  },
  { name: 'sessions', dependencies: ['cookies', 'change-feed'] },
);
