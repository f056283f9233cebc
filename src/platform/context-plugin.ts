import fp from 'fastify-plugin';
import type { AppContext } from './context.js';

/** Makes the shared services reachable as app.db, app.storage, … for every feature plugin. */
export default fp<{ ctx: AppContext }>(
  async (app, { ctx }) => {
    app.decorate('ctx', ctx);
    app.decorate('config', ctx.config);
    app.decorate('db', ctx.db);
    app.decorate('storage', ctx.storage);
    app.decorate('queues', ctx.queues);
  },
  { name: 'context' },
);
