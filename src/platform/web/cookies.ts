import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import { rememberingSigner } from '../cookie-signer.js';

/**
 * Cookies, signed with SESSION_SECRET. The signer remembers its answers (cookie-signer.ts) and is
 * shared as `app.cookieSigner` with the session plugin, which signs the session cookie with it.
 */
export default fp(
  async (app) => {
    const signer = rememberingSigner(app.config.sessionSecret);
    app.decorate('cookieSigner', signer);
    await app.register(cookie, { secret: signer });
  },
  { name: 'cookies', dependencies: ['context'] },
);
