import fp from 'fastify-plugin';
import fastifyPassport from '@fastify/passport';
import { findUserById } from './queries.js';

/**
 * Sessions carry only the user id; each request loads the user fresh, so a disabled account
 * (or a deleted one) is signed out at its next request.
 */
export default fp(
  async (app) => {
    fastifyPassport.registerUserSerializer(async (user: { id: string }) => user.id);
    fastifyPassport.registerUserDeserializer(async (id: string) => {
      if (typeof id !== 'string') return null;
      const user = await findUserById(app.db, id);
      if (!user || user.disabled_at) return null;
      return user;
    });
    await app.register(fastifyPassport.initialize());
    await app.register(fastifyPassport.secureSession());
  },
  { name: 'auth', dependencies: ['web'] },
);

export { fastifyPassport };
