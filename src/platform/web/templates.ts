import fp from 'fastify-plugin';
import view from '@fastify/view';
import { VIEWS_DIR } from '../paths.js';
import { asciiTemplates, escapeHtml } from '../ascii-html.js';
import { ViewEngine } from '../eta.js';

/** The Eta templates under views/ (`reply.viewAsync`); pages use `reply.render` (view.ts) on top of it. */
export default fp(
  async (app) => {
    const development = app.config.NODE_ENV === 'development';
    await app.register(view, {
      // Templates are compiled once, except in development where edits show on reload.
      // Pages are sent in ASCII, anything else as references (ascii-html.ts says why).
      engine: {
        eta: new ViewEngine({ views: VIEWS_DIR, cache: !development, autoEscape: true, escapeFunction: escapeHtml, plugins: [asciiTemplates] }),
      },
      root: VIEWS_DIR,
      viewExt: 'eta',
      production: !development,
      propertyName: 'view',
      asyncPropertyName: 'viewAsync',
    });
  },
  { name: 'templates', dependencies: ['context'] },
);
