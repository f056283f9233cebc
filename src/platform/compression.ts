import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { carriesCsrfToken } from './csrf-token.js';

export type Encoding = 'br' | 'gzip';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Text worth compressing; event streams never reach here (the live route writes its own socket). */
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:json|javascript|xml|manifest\+json|[\w.-]+\+(?:json|xml))|image\/svg\+xml)/i;
/** Below this a compressed body saves less than a packet and costs a zlib call. */
const MIN_BYTES = 1024;
/** The static files are a few dozen; the bound only matters when files keep changing (development). */
const MAX_STATIC_ENTRIES = 500;
const MAX_STATIC_BYTES = 4 * 1024 * 1024;

/**
 * br when the request takes it, else gzip, else nothing (`;q=0` refuses; `*` takes either).
 * Brotli is the smaller of the two on every page here, and every current browser sends it.
 */
export function pickEncoding(header: string | string[] | undefined): Encoding | null {
  if (!header) return null;
  const q = new Map<string, number>();
  for (const part of String(header).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, weight ? Number(weight.slice(2)) || 0 : 1);
  }
  const accepts = (name: Encoding) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  return accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : null;
}

/** Pages and fragments: fast settings (each answer is compressed as it goes out). */
function compressDynamic(body: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'gzip') return gzip(body, { level: 6 });
  return brotli(body, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
}

/** Stylesheets and scripts: the smallest settings, since each file is compressed once per process. */
async function compressStatic(body: Buffer): Promise<Record<Encoding, Buffer>> {
  const [br, gz] = await Promise.all([
    brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gzip(body, { level: 9 }),
  ]);
  return { br, gzip: gz };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A static file's bytes as sent: compressed both ways, or only as it is when too small to gain. */
type StaticEntry = { raw: Buffer } & Partial<Record<Encoding, Buffer>>;

function addVary(reply: FastifyReply, field: string): void {
  const current = String(reply.getHeader('vary') ?? '');
  const fields = current.split(',').map((f) => f.trim()).filter(Boolean);
  if (fields.includes('*') || fields.some((f) => f.toLowerCase() === field.toLowerCase())) return;
  reply.header('vary', [...fields, field].join(', '));
}

/**
 * A request this site's own pages made (htmx, a link or form here) or the person made (the address
 * bar, a bookmark): another site cannot start one of those. Browsers without Sec-Fetch-Site (none
 * current) count as cross-site.
 */
function fromOwnPages(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  return site === 'same-origin' || site === 'none';
}

/**
 * Compresses every text answer (HTML, CSS, JavaScript, JSON, SVG) with brotli or gzip, as the
 * request's Accept-Encoding allows (docs/decisions/0032-compressed-responses.md):
 * - static files (routes marked `staticFiles`) are compressed once per file version (its ETag) and
 *   kept, at the strongest settings;
 * - pages and fragments as they go out, at fast settings;
 * - a body carrying the CSRF token is compressed only for a request from our own pages or the
 *   person themselves, never one another site can start (BREACH: a compressed body's length would
 *   tell that site how much of its guess, reflected in the page, matches the token);
 * - streams (media, the data download; the live event stream writes its own socket) pass as they are.
 */
export default fp(
  async (app) => {
    const staticCache = new Map<string, Promise<StaticEntry>>();

    async function staticBody(req: FastifyRequest, reply: FastifyReply, payload: unknown, encoding: Encoding): Promise<unknown> {
      const etag = reply.getHeader('etag');
      const length = Number(reply.getHeader('content-length') ?? 0);
      if (typeof etag !== 'string' || length > MAX_STATIC_BYTES || !payload || typeof (payload as Readable).pipe !== 'function') return payload;
      const key = `${req.url.split('?')[0]}\n${etag}`;
      let entry = staticCache.get(key);
      if (entry) (payload as Readable).destroy();
      else {
        if (staticCache.size >= MAX_STATIC_ENTRIES) staticCache.clear();
        entry = readAll(payload as Readable).then(async (raw) => (raw.length < MIN_BYTES ? { raw } : { raw, ...(await compressStatic(raw)) }));
        staticCache.set(key, entry);
        entry.catch(() => staticCache.delete(key));
      }
      const file = await entry;
      const compressed = file[encoding];
      if (!compressed) return file.raw;
      reply.header('content-encoding', encoding);
      reply.removeHeader('content-length');
      reply.removeHeader('accept-ranges');
      // Another representation of the same file: a weak validator still matches If-None-Match.
      if (!etag.startsWith('W/')) reply.header('etag', `W/${etag}`);
      return compressed;
    }

    app.addHook('onSend', async (req, reply, payload) => {
      if (req.method === 'HEAD' || (reply.statusCode !== 200 && reply.statusCode < 400)) return payload;
      if (reply.hasHeader('content-encoding')) return payload;
      if (!COMPRESSIBLE.test(String(reply.getHeader('content-type') ?? ''))) return payload;
      addVary(reply, 'Accept-Encoding');
      const encoding = pickEncoding(req.headers['accept-encoding']);
      if (!encoding) return payload;
      if (req.routeOptions.config?.staticFiles) return staticBody(req, reply, payload, encoding);
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
      if (carriesCsrfToken(reply)) {
        addVary(reply, 'Sec-Fetch-Site');
        if (!fromOwnPages(req)) return payload;
      }
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      if (body.length < MIN_BYTES) return payload;
      const compressed = await compressDynamic(body, encoding);
      reply.header('content-encoding', encoding);
      reply.removeHeader('content-length');
      return compressed;
    });
  },
  { name: 'compression' },
);
