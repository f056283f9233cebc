import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { createTestApp, type TestApp } from '../setup/context.js';
import { startS3 } from '../setup/s3.js';
import type { Storage } from '../../src/storage/types.js';

/** Reads a signed URL the way a browser would: the app's /media route for local disk, HTTP for S3. */
type Fetcher = (url: string, headers?: Record<string, string>) => Promise<{ status: number; body: Buffer; headers: Record<string, string> }>;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function tamper(url: string): string {
  const u = new URL(url, 'http://x');
  const param = u.searchParams.has('sig') ? 'sig' : 'X-Amz-Signature';
  const sig = u.searchParams.get(param)!;
  u.searchParams.set(param, (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
  return url.startsWith('/') ? u.pathname + u.search : u.toString();
}

interface Driver {
  t: TestApp;
  fetcher: Fetcher;
  stop?: () => Promise<void>;
  /** s3rver checks SigV4 expiry but not the signature itself (its source says "unimplemented"). */
  checksSignature: boolean;
}

function contract(name: string, make: () => Promise<Driver>) {
  describe(`storage contract: ${name}`, () => {
    let t: TestApp;
    let storage: Storage;
    let fetcher: Fetcher;
    let stop: (() => Promise<void>) | undefined;
    let checksSignature = true;
    const base = `images/u-${Math.random().toString(36).slice(2)}`;
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 256));

    beforeAll(async () => {
      ({ t, fetcher, stop, checksSignature } = await make());
      storage = t.ctx.storage;
    });
    afterAll(async () => {
      await t?.close();
      await stop?.();
    });

    it('puts buffers and streams, reads them back, knows their size', async () => {
      await storage.put(`${base}/p1/a.bin`, body, 'application/octet-stream');
      await storage.put(`${base}/p1/b.bin`, Readable.from([body.subarray(0, 100), body.subarray(100)]), 'application/octet-stream');
      expect(await readAll(await storage.get(`${base}/p1/a.bin`))).toEqual(body);
      expect(await readAll(await storage.get(`${base}/p1/b.bin`))).toEqual(body);
      expect(await storage.size(`${base}/p1/a.bin`)).toBe(5000);
      expect(await storage.size(`${base}/p1/missing.bin`)).toBeNull();
      await expect(storage.get(`${base}/p1/missing.bin`)).rejects.toBeTruthy();
    });

    it('deletes one, many (missing ones are fine) and a prefix, leaving look-alike prefixes alone', async () => {
      for (const k of ['p2/a', 'p2/b', 'p2/sub/c', 'p20/keep', 'p3/x', 'p3/y']) await storage.put(`${base}/${k}`, Buffer.from(k), 'text/plain');
      await storage.delete(`${base}/p3/x`);
      await storage.delete(`${base}/p3/never-existed`);
      expect(await storage.size(`${base}/p3/x`)).toBeNull();
      await storage.deleteMany([`${base}/p3/y`, `${base}/p3/nope`]);
      expect(await storage.size(`${base}/p3/y`)).toBeNull();
      await storage.deletePrefix(`${base}/p2/`);
      for (const k of ['p2/a', 'p2/b', 'p2/sub/c']) expect(await storage.size(`${base}/${k}`)).toBeNull();
      expect(await storage.size(`${base}/p20/keep`)).toBe(Buffer.from('p20/keep').length);
      await storage.deletePrefix(`${base}/does-not-exist/`);
    });

    it('lists every object under a prefix with its size, and nothing under a look-alike prefix', async () => {
      for (const k of ['p5/a', 'p5/sub/b', 'p5/sub/deeper/c', 'p50/not-mine']) await storage.put(`${base}/${k}`, Buffer.from(k), 'text/plain');
      const listed = [];
      for await (const o of storage.list(`${base}/p5/`)) listed.push(o);
      expect(listed.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
        ['p5/a', 'p5/sub/b', 'p5/sub/deeper/c'].map((k) => ({ key: `${base}/${k}`, size: Buffer.from(k).length })),
      );
      const none = [];
      for await (const o of storage.list(`${base}/nothing-here/`)) none.push(o);
      expect(none).toEqual([]);
    });

    it('serves a signed URL, and refuses it tampered, expired or moved to another key', async () => {
      const key = `${base}/p4/photo.jpg`;
      await storage.put(key, body, 'image/jpeg');
      const url = await storage.signedUrl(key);
      expect(url).not.toContain('undefined');
      const ok = await fetcher(url);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual(body);

      if (checksSignature) {
        expect((await fetcher(tamper(url))).status).toBe(403);
        await storage.put(`${base}/p4/other.jpg`, Buffer.from('other'), 'image/jpeg');
        expect((await fetcher(url.replace('photo.jpg', 'other.jpg'))).status).toBe(403);
        // A malformed escape is refused, not a crash.
        expect((await fetcher(url.replace('photo.jpg', 'a%25E0b'))).status).toBe(403);
        expect((await fetcher(url.replace('photo.jpg', 'a%E0b'))).status).toBeLessThan(500);
      } else {
        // The real S3 checks the signature; here we check the URL is signed and expires as configured.
        const q = new URL(url).searchParams;
        expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
        expect(q.get('X-Amz-Expires')).toBe('3600');
      }

      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() - 2 * 3600 * 1000);
      let expired: string;
      try {
        expired = await storage.signedUrl(key, { expiresInS: 600 });
      } finally {
        vi.useRealTimers();
      }
      expect((await fetcher(expired)).status).toBe(403);
    });

    it('offers a download under a given name', async () => {
      const key = `${base}/p5/export.mp4`;
      await storage.put(key, body, 'video/mp4');
      const res = await fetcher(await storage.signedUrl(key, { downloadName: 'My film.mp4' }));
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(res.headers['content-disposition']).toContain('My film.mp4');
    });

    it('answers an HTTP Range request with 206 and exactly those bytes', async () => {
      const key = `${base}/p6/clip.mp4`;
      await storage.put(key, body, 'video/mp4');
      const res = await fetcher(await storage.signedUrl(key), { range: 'bytes=100-199' });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe('bytes 100-199/5000');
      expect(res.body).toEqual(body.subarray(100, 200));
    });
  });
}

contract('local disk', async () => {
  const t = await createTestApp();
  const fetcher: Fetcher = async (url, headers = {}) => {
    const res = await t.app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.rawPayload, headers: res.headers as Record<string, string> };
  };
  return { t, fetcher, checksSignature: true };
});

contract('S3', async () => {
  const s3 = await startS3();
  const t = await createTestApp(s3.env);
  expect(t.ctx.storage.driver).toBe('s3');
  const fetcher: Fetcher = async (url, headers = {}) => {
    const res = await fetch(url, { headers });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: Object.fromEntries(res.headers) };
  };
  return { t, fetcher, stop: () => s3.stop(), checksSignature: false };
});
