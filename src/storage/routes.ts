import fp from 'fastify-plugin';
import send from '@fastify/send';
import path from 'node:path';
import { z } from 'zod';
import { readForm } from '../platform/forms.js';
import { LocalStorage } from './local.js';
import { contentDisposition } from './types.js';

const mediaParams = z.object({ '*': z.string() });
const mediaQuery = z.object({ exp: z.string().optional(), sig: z.string().optional(), dl: z.string().optional(), scope: z.string().optional() }).catch({});

/** Whether a scoped URL still holds, by the scope's kind (`share` → is the link still shared?). */
export type MediaScopeCheck = (value: string) => Promise<boolean>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Checks of scoped media URLs (SignOptions.scope), by kind; a feature registers its own. */
    mediaScopes: Map<string, MediaScopeCheck>;
  }
}

/**
 * GET /media/<key>?exp&sig[&dl]: serves local-disk media behind signed, expiring URLs, with Range
 * support so video can seek. Only registered for the local driver (S3 serves its own URLs).
 */
export default fp(
  async (app) => {
    const storage = app.storage;
    const scopes = new Map<string, MediaScopeCheck>();
    app.decorate('mediaScopes', scopes);
    if (!(storage instanceof LocalStorage)) return;

    /** A scoped URL is served only while its scope holds; an unknown kind never does. */
    async function scopeHolds(scope: string | undefined): Promise<boolean> {
      if (!scope) return true;
      const at = scope.indexOf(':');
      const check = at > 0 ? scopes.get(scope.slice(0, at)) : undefined;
      return check ? check(scope.slice(at + 1)) : false;
    }

    // Public: the signature in the URL is the permission.
    app.get('/media/*', { config: { access: 'public' } }, async (req, reply) => {
      // The router has already decoded the path once; decoding again would misread a literal "%".
      const key = readForm(mediaParams, req.params)['*'];
      const { exp, sig, dl, scope } = readForm(mediaQuery, req.query);
      if (key.includes('..') || !storage.verify(key, exp, sig, dl, scope)) {
        return reply.code(403).type('text/plain').send('This link has expired or is not valid.');
      }
      if (!(await scopeHolds(scope))) {
        reply.header('cache-control', 'no-store');
        return reply.code(403).type('text/plain').send('This film is no longer shared.');
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
      // A scoped URL can stop working any time (unshared): nothing may answer for it from a cache.
      reply.header('cache-control', scope ? 'no-store' : 'private, max-age=300');
      reply.header('x-content-type-options', 'nosniff');
      if (dl) reply.header('content-disposition', contentDisposition(dl));
      return reply.send(result.stream);
    });
  },
  { name: 'media', dependencies: ['context'] },
);
