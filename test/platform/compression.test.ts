import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify from 'fastify';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import compression, { pickEncoding } from '../../src/platform/compression.js';
import { PUBLIC_DIR, ROOT } from '../../src/platform/paths.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { SseClient } from '../setup/sse.js';

// Every text answer compressed by Accept-Encoding; media and the live stream untouched; a page
// carrying the CSRF token compressed only for requests another site cannot start (BREACH).

let t: TestContext;
let app: FastifyInstance;
beforeAll(async () => {
  t = await createTestContext();
  app = await buildApp(t.ctx);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd', 'sec-fetch-site': 'same-origin' };

function decoded(res: LightMyRequestResponse): string {
  const enc = res.headers['content-encoding'];
  if (enc === 'br') return zlib.brotliDecompressSync(res.rawPayload).toString();
  if (enc === 'gzip') return zlib.gunzipSync(res.rawPayload).toString();
  return res.body;
}

describe('Accept-Encoding', () => {
  it('prefers br, falls back to gzip, honours q=0 and *', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(undefined)).toBeNull();
  });
});

describe('pages', () => {
  it('sends the landing page in brotli to a browser, and it decodes to the page', async () => {
    const res = await app.inject({ url: '/', headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toMatch(/Accept-Encoding/);
    const html = decoded(res);
    expect(html).toContain('<meta name="csrf-token"');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(html) / 2);
  });

  it('sends gzip when only gzip is accepted, nothing when nothing is', async () => {
    const gz = await app.inject({ url: '/', headers: { ...BROWSER, 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded(gz)).toContain('<meta name="csrf-token"');
    const plain = await app.inject({ url: '/', headers: { 'sec-fetch-site': 'same-origin' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('<meta name="csrf-token"');
  });

  it('compresses a signed-in page', async () => {
    const b = new TestBrowser(app);
    await b.signInDev('compress@example.com');
    const page = await b.get('/projects', BROWSER);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(decoded(page)).toContain('</html>');
  });

  it('sends a page carrying the CSRF token uncompressed to a request another site started (BREACH)', async () => {
    for (const site of ['cross-site', 'same-site', undefined]) {
      const headers: Record<string, string> = { 'accept-encoding': 'gzip, br' };
      if (site) headers['sec-fetch-site'] = site;
      const res = await app.inject({ url: '/?next=guess', headers });
      expect(res.headers['content-encoding'], String(site)).toBeUndefined();
      expect(res.body).toContain('<meta name="csrf-token"');
      expect(res.headers.vary).toMatch(/Sec-Fetch-Site/);
    }
    // The address bar or a bookmark (the person themselves) is compressed.
    const typed = await app.inject({ url: '/', headers: { 'accept-encoding': 'br', 'sec-fetch-site': 'none' } });
    expect(typed.headers['content-encoding']).toBe('br');
  });
});

describe('static files', () => {
  it('sends stylesheets and scripts compressed, the same bytes every time (compressed once), decoding to the file', async () => {
    const css = readFileSync(path.join(PUBLIC_DIR, 'css/app.css'), 'utf8');
    const first = await app.inject({ url: '/assets/css/app.css', headers: BROWSER });
    const second = await app.inject({ url: '/assets/css/app.css', headers: BROWSER });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-encoding']).toBe('br');
    expect(first.headers['content-type']).toMatch(/text\/css/);
    expect(decoded(first)).toBe(css);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(first.headers['accept-ranges']).toBeUndefined();

    const gz = await app.inject({ url: '/assets/css/app.css', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded(gz)).toBe(css);
    const plain = await app.inject({ url: '/assets/css/app.css' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(css);

    const htmx = await app.inject({ url: '/vendor/htmx/htmx.min.js', headers: BROWSER });
    expect(htmx.headers['content-encoding']).toBe('br');
    expect(decoded(htmx)).toBe(readFileSync(path.join(ROOT, 'node_modules/htmx.org/dist/htmx.min.js'), 'utf8'));
  });

  it('still answers a revalidation with 304 (a weak ETag)', async () => {
    const first = await app.inject({ url: '/assets/css/app.css', headers: BROWSER });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\//);
    const again = await app.inject({ url: '/assets/css/app.css', headers: { ...BROWSER, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });
});

describe('media and streams', () => {
  it('leaves media untouched', async () => {
    const bytes = Buffer.alloc(8192, 7);
    await t.ctx.storage.put('clips/test/film.mp4', bytes, 'video/mp4');
    const url = new URL(await t.ctx.storage.signedUrl('clips/test/film.mp4'), 'http://x');
    const res = await app.inject({ url: url.pathname + url.search, headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.equals(bytes)).toBe(true);
    const range = await app.inject({ url: url.pathname + url.search, headers: { ...BROWSER, range: 'bytes=0-99' } });
    expect(range.statusCode).toBe(206);
    expect(range.headers['content-encoding']).toBeUndefined();
    expect(range.rawPayload.length).toBe(100);
  });

  it('keeps the live event stream uncompressed and unbuffered', async () => {
    const b = new TestBrowser(app);
    await b.signInDev('stream@example.com');
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const s = await SseClient.open(`${base}/events`, { cookie: b.cookieHeader, ...BROWSER });
    try {
      expect(s.status).toBe(200);
      expect(s.headers['content-encoding']).toBeUndefined();
      // The first message (the balance) arrives while the stream stays open.
      await s.next((m) => m.data.includes('id="credit-balance"'), 5000);
      expect(s.closed).toBe(false);
    } finally {
      s.close();
    }
  });

  it('compresses JSON and SVG, leaves a small body and a text stream as they are', async () => {
    const f = Fastify();
    await f.register(compression);
    const big = { items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${i}` })) };
    f.get('/json', async () => big);
    f.get('/svg', async (_req, reply) => reply.type('image/svg+xml').send(`<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>'.repeat(100)}</svg>`));
    f.get('/small', async () => ({ ok: true }));
    f.get('/stream', async (_req, reply) => reply.type('text/plain').send(Readable.from(['a'.repeat(5000)])));
    try {
      const json = await f.inject({ url: '/json', headers: BROWSER });
      expect(json.headers['content-encoding']).toBe('br');
      expect(JSON.parse(decoded(json))).toEqual(big);
      const svg = await f.inject({ url: '/svg', headers: { 'accept-encoding': 'gzip' } });
      expect(svg.headers['content-encoding']).toBe('gzip');
      expect(decoded(svg)).toContain('<svg');
      const small = await f.inject({ url: '/small', headers: BROWSER });
      expect(small.headers['content-encoding']).toBeUndefined();
      const stream = await f.inject({ url: '/stream', headers: BROWSER });
      expect(stream.headers['content-encoding']).toBeUndefined();
      expect(stream.body).toBe('a'.repeat(5000));
    } finally {
      await f.close();
    }
  });
});
