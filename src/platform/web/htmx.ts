import fp from 'fastify-plugin';

/** `req.isHtmx`: the request came from htmx (a fragment is wanted, not the whole page). */
export default fp(
  async (app) => {
    app.decorateRequest('isHtmx', false);
    app.addHook('onRequest', async (req) => {
      req.isHtmx = req.headers['hx-request'] === 'true';
    });
  },
  { name: 'htmx' },
);
