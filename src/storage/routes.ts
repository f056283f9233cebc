import fp from 'fastify-plugin';
import send from '@fastify/send';
import path from 'node:path';
import { z } from 'zod';
import { readForm } from '../platform/forms.js';
import { LocalStorage } from './local.js';
import { contentDisposition } from './types.js';

const mediaParams = z.object({ '*': z.string() });
const mediaQuery = z.object({ exp: z.string().optional(), sig: z.string().optional(), dl: z.string().optional() }).catch({});

/**
 * GET /media/<key>?exp&sig[&dl]: serves local-disk media behind signed, expiring URLs, with Range
 * support so video can seek. Only registered for the local driver (S3 serves its own URLs).
 */
export default fp(
  async (app) => {
    const storage = app.storage;
    if (!(storage instanceof LocalStorage)) return;

    // Public: the signature in the URL is the permission.
    app.get('/media/*', { config: { access: 'public' } }, async (req, reply) => {
      // The router has already decoded the path once; decoding again would misread a literal "%".
      const key = readForm(mediaParams, req.params)['*'];
      const { exp, sig, dl } = readForm(mediaQuery, req.query);
      if (key.includes('..') || !storage.verify(key, exp, sig, dl)) {
        return reply.code(403).type('text/plain').send('This link has expired or is not valid.');
      }
      const file = storage.filePath(key);
      const result = await send(req.raw, path.relative(storage.root, file), {
        root: storage.root,
        dotfiles: 'deny',
        acceptRanges: true,
        cacheControl: false,
      });
      if (result.type === 'error') {
        const status = (result.metadata as { error: { status?: number } }).error.status ?? 500;
        return reply.code(status === 404 ? 404 : status).type('text/plain').send(status === 404 ? 'Not found' : 'Error');
      }
      reply.code(result.statusCode);
      for (const [name, value] of Object.entries(result.headers)) reply.header(name, value);
      reply.header('cache-control', 'private, max-age=300');
      reply.header('x-content-type-options', 'nosniff');
      if (dl) reply.header('content-disposition', contentDisposition(dl));
      return reply.send(result.stream);
    });
  },
  { name: 'media', dependencies: ['context'] },
);
