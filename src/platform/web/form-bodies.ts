import fp from 'fastify-plugin';
import formbody from '@fastify/formbody';
import qs from 'node:querystring';

/** Form bodies parse into plain objects; repeated fields (clip_ids) become arrays. */
export default fp(
  async (app) => {
    await app.register(formbody, { parser: (s) => qs.parse(s), bodyLimit: 256 * 1024 });
  },
  { name: 'form-bodies' },
);
