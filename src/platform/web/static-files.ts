import fp from 'fastify-plugin';
import fstatic from '@fastify/static';
import path from 'node:path';
import { PUBLIC_DIR, ROOT } from '../paths.js';

/** public/ under /assets/, and htmx from node_modules under /vendor/htmx/. */
export default fp(
  async (app) => {
    // Static files are public. @fastify/static takes no route config, so the routes it adds are
    // marked as they are registered, by a hook that marks nothing outside these two registrations.
    let staticRoutes = true;
    app.addHook('onRoute', (route) => {
      if (staticRoutes) route.config = { ...route.config, access: 'public', staticFiles: true };
    });
    await app.register(fstatic, {
      root: PUBLIC_DIR,
      prefix: '/assets/',
      maxAge: app.config.NODE_ENV === 'production' ? '7d' : 0,
    });
    await app.register(fstatic, {
      root: path.join(ROOT, 'node_modules/htmx.org/dist'),
      prefix: '/vendor/htmx/',
      decorateReply: false,
      allowedPath: (p) => p === '/htmx.min.js' || p === '/htmx.js' || p === '/ext/hx-sse.min.js',
    });
    staticRoutes = false;
  },
  { name: 'static-files', dependencies: ['context'] },
);
