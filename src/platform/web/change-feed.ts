import fp from 'fastify-plugin';
import { ChangeFeed } from '../change-feed.js';

/**
 * The database's change feed (one LISTEN connection per web process), which reports every
 * committed change to a person's rows, whoever made it. What is kept about a person in memory
 * (their session, what their pages read) follows it, so most requests need no query to learn who
 * is asking (sessions.ts, person-reads.ts).
 */
export default fp(
  async (app) => {
    const feed = new ChangeFeed(app.config.DATABASE_URL, app.log);
    app.decorate('changeFeed', feed);
    await feed.start();
    // Before anything about the person is served from memory, this process has heard every change
    // committed before the request arrived (one shared round trip on the feed's connection).
    // Static files (the page's CSS, JS and icons, sent with the cookie) read nothing of anyone's.
    app.addHook('onRequest', (req, _reply, done) => {
      if (req.routeOptions.config?.staticFiles || !req.headers.cookie?.includes('sid=')) return done();
      feed.barrier().then(() => done(), done);
    });
    app.addHook('onClose', async () => {
      await feed.close();
    });
  },
  { name: 'change-feed', dependencies: ['context'] },
);
