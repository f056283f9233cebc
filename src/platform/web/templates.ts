import fp from 'fastify-plugin';
import view from '@fastify/view';
import { VIEWS_DIR } from '../paths.js';
import { asciiTemplates, escapeHtml } from '../ascii-html.js';
import { ViewEngine } from '../eta.js';

/**
 * The Eta templates under views/ (`app.view`, `reply.viewAsync`); pages use `reply.render` (view.ts),
 * which calls the engine (`app.eta`) directly.
 */
export default fp(
  async (app) => {
    const development = app.config.NODE_ENV === 'development';
    const eta = new ViewEngine({ views: VIEWS_DIR, cache: !development, autoEscape: true, escapeFunction: escapeHtml, plugins: [asciiTemplates] });
    app.decorate('eta', eta);
    // `reply.locals` starts empty (undefined): @fastify/view would otherwise add a hook giving every
    // request a new object, which only the admin area's pages use.
    app.decorateReply('locals', undefined);
    await app.register(view, {
      // Templates are compiled once, except in development where edits show on reload.
      // Pages are sent in ASCII, anything else as references (ascii-html.ts says why).
      engine: { eta },
      root: VIEWS_DIR,
      viewExt: 'eta',
      production: !development,
      propertyName: 'view',
      asyncPropertyName: 'viewAsync',
    });
  },
  { name: 'templates', dependencies: ['context'] },
);
