import fp from 'fastify-plugin';

/** `req.isHtmx`: the request came from htmx (a fragment is wanted, not the whole page). */
export default fp(
  async (app) => {
    app.decorateRequest('isHtmx', false);
    app.addHook('onRequest', (req, _reply, done) => {
      req.isHtmx = req.headers['hx-request'] === 'true';
      done();
    });
  },
  { name: 'htmx' },
);
