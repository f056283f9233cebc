import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { heicSupported, normalizeImage, spoolUpload, type NormalizeOptions } from '../../src/clips/image.js';
import { UserError } from '../../src/platform/errors.js';
import { IMAGE_SLOTS, imageWork } from '../../src/platform/image-work.js';
import { spoolDir } from '../../src/storage/spool.js';
import { endlessStream, HEIC_HEADER, PDF, pngBomb, sidewaysJpegWithGps, SVG_WITH_SCRIPT, truncatedJpeg, twoTone } from './fixtures.js';

const HEIC = await heicSupported();
const PORTRAIT: NormalizeOptions = { width: 720, height: 1280, maxPixels: 60_000_000 };
const LANDSCAPE: NormalizeOptions = { width: 1280, height: 720, maxPixels: 60_000_000 };

let tmp: string;
beforeAll(async () => {
  // A private TMPDIR, so "no temp file left" is about this file's uploads alone.
  tmp = await mkdtemp(path.join(os.tmpdir(), 'echoes-image-test-'));
  vi.stubEnv('TMPDIR', tmp);
});
afterAll(async () => {
  vi.unstubAllEnvs(); // TMPDIR back as it was (unset stays unset: files after this one share the process)
  await rm(tmp, { recursive: true, force: true });
});

async function leftovers(): Promise<string[]> {
  return readdir(spoolDir()).catch(() => []);
}

async function refusal(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(UserError);
  const ue = err as UserError;
  expect(ue.statusCode).toBeGreaterThanOrEqual(400);
  expect(ue.statusCode).toBeLessThan(500);
  return ue;
}

async function pixel(img: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(img).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

describe('normalizeImage: good images', () => {
  it('turns an EXIF-rotated camera JPEG upright and drops every piece of metadata (GPS included)', async () => {
    const input = await sidewaysJpegWithGps();
    const inMeta = await sharp(input).metadata();
    expect(inMeta.orientation).toBe(6);
    expect(input.toString('latin1')).toContain('SecretCam');

    const out = await normalizeImage(input, PORTRAIT);
    expect(out).toMatchObject({ ext: 'jpg', contentType: 'image/jpeg', width: 720, height: 1280 });
    const meta = await sharp(out.image).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 720, height: 1280 });
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(out.image.toString('latin1')).not.toContain('SecretCam');
    expect(out.image.toString('latin1')).not.toContain('Exif');
    // Stored left-red/right-blue, shown rotated 90° clockwise: red on top, blue below.
    const [tr, , tb] = await pixel(out.image, 360, 40);
    const [br, , bb] = await pixel(out.image, 360, 1240);
    expect(tr).toBeGreaterThan(200);
    expect(tb).toBeLessThan(60);
    expect(bb).toBeGreaterThan(200);
    expect(br).toBeLessThan(60);

    const thumb = await sharp(out.thumb).metadata();
    expect(thumb.format).toBe('webp');
    expect(thumb.width).toBeLessThanOrEqual(360);
    expect(thumb.exif).toBeUndefined();
  });

  it('accepts a PNG with transparency and a WebP, fitting each to the ratio by cropping', async () => {
    const png = await sharp({ create: { width: 500, height: 500, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const fromPng = await normalizeImage(png, LANDSCAPE);
    expect(await sharp(fromPng.image).metadata()).toMatchObject({ format: 'jpeg', width: 1280, height: 720, hasAlpha: false });
    const webp = await (await twoTone()).webp().toBuffer();
    const fromWebp = await normalizeImage(webp, LANDSCAPE);
    expect(await sharp(fromWebp.image).metadata()).toMatchObject({ format: 'jpeg', width: 1280, height: 720 });
  });

  it('works on at most IMAGE_SLOTS images at once, the rest waiting their turn', async () => {
    const jpeg = await (await twoTone()).jpeg().toBuffer();
    const many = Array.from({ length: IMAGE_SLOTS + 3 }, () => normalizeImage(jpeg, LANDSCAPE));
    expect(imageWork.load).toEqual({ running: IMAGE_SLOTS, waiting: 3 });
    expect((await Promise.all(many)).every((out) => out.width === 1280)).toBe(true);
    expect(imageWork.load).toEqual({ running: 0, waiting: 0 });
  });

  it('takes a stream, spools it to a temp file and removes the temp file afterwards', async () => {
    const jpeg = await (await twoTone()).jpeg().toBuffer();
    const out = await normalizeImage(Readable.from([jpeg.subarray(0, 100), jpeg.subarray(100)]), { ...LANDSCAPE, maxBytes: 1024 * 1024 });
    expect(out.width).toBe(1280);
    expect(await leftovers()).toEqual([]);
  });
});

describe('normalizeImage: bad input is a clear 4xx', () => {
  it('refuses an empty file', async () => {
    const err = await refusal(normalizeImage(Buffer.alloc(0), LANDSCAPE));
    expect(err.message).toMatch(/empty/i);
    const fromStream = await refusal(normalizeImage(Readable.from([]), { ...LANDSCAPE, maxBytes: 1000 }));
    expect(fromStream.message).toMatch(/empty/i);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a text file named .jpg, by its bytes', async () => {
    const err = await refusal(normalizeImage(Readable.from([Buffer.from('just some notes, not a photo\n')]), { ...LANDSCAPE, maxBytes: 1000 }));
    expect(err.statusCode).toBe(415);
    expect(err.message).toMatch(/not an image/i);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a PDF named .jpg, saying what it is', async () => {
    const err = await refusal(normalizeImage(PDF, LANDSCAPE));
    expect(err.statusCode).toBe(415);
    expect(err.message).toContain('PDF');
  });

  it('refuses a truncated JPEG', async () => {
    const err = await refusal(normalizeImage(await truncatedJpeg(), LANDSCAPE));
    expect(err.message).toMatch(/damaged|incomplete/i);
  });

  it('refuses an SVG carrying a script', async () => {
    const err = await refusal(normalizeImage(SVG_WITH_SCRIPT, LANDSCAPE));
    expect(err.statusCode).toBe(415);
    expect(err.message).toContain('SVG');
  });

  it('refuses a 30000×30000 decompression bomb from its header, without decoding it', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(100_000);
    const started = process.hrtime.bigint();
    const err = await refusal(normalizeImage(bomb, LANDSCAPE));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(err.statusCode).toBe(413);
    expect(err.message).toContain('30000×30000');
    expect(ms).toBeLessThan(1000);
  });

  it('applies the pixel limit it is given', async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#123456' } }).png().toBuffer();
    const err = await refusal(normalizeImage(png, { ...LANDSCAPE, maxPixels: 50_000 }));
    expect(err.statusCode).toBe(413);
  });

  it.skipIf(HEIC)('refuses HEIC with advice when this build of sharp cannot decode it', async () => {
    const err = await refusal(normalizeImage(HEIC_HEADER, LANDSCAPE));
    expect(err.statusCode).toBe(415);
    expect(err.message).toContain('HEIC');
  });

  it('refuses a file over the byte limit while it streams, and leaves no temp file', async () => {
    const { stream, pulled } = endlessStream();
    const err = await refusal(normalizeImage(stream, { ...LANDSCAPE, maxBytes: 100 * 1024 }));
    expect(err.statusCode).toBe(413);
    expect(err.message).toContain('100 KB');
    expect(pulled()).toBeLessThan(100 * 1024 + 64 * 1024);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a buffer over the byte limit', async () => {
    const jpeg = await (await twoTone()).jpeg().toBuffer();
    const err = await refusal(normalizeImage(jpeg, { ...LANDSCAPE, maxBytes: 100 }));
    expect(err.statusCode).toBe(413);
  });
});

describe('spoolUpload', () => {
  it('writes the stream to a private temp file and counts its bytes; cleanup removes it', async () => {
    const spooled = await spoolUpload(Readable.from([Buffer.from('hello '), Buffer.from('world')]), 11);
    expect(spooled.bytes).toBe(11);
    expect(path.dirname(spooled.path)).toBe(spoolDir());
    expect(await readFile(spooled.path, 'utf8')).toBe('hello world');
    await spooled.cleanup();
    await spooled.cleanup();
    expect(await leftovers()).toEqual([]);
  });

  it('aborts with a 413 as soon as the limit is passed, not at the end of the stream', async () => {
    const { stream, pulled } = endlessStream(8 * 1024);
    const err = await refusal(spoolUpload(stream, 64 * 1024));
    expect(err.statusCode).toBe(413);
    expect(pulled()).toBeLessThan(64 * 1024 + 48 * 1024);
    expect(stream.destroyed).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('leaves no temp file when the limit is passed before the file has even opened', async () => {
    // The first chunk is already over the limit, so the refusal comes while the file's open is in
    // flight; the file must not appear after the cleanup has run. Many rounds: it is a race.
    for (let i = 0; i < 200; i++) {
      await expect(spoolUpload(Readable.from([Buffer.alloc(2048)]), 1024)).rejects.toMatchObject({ statusCode: 413 });
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await leftovers()).toEqual([]);
  });

  it('removes the temp file when the source fails mid-way', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(spoolUpload(failing, 1e6)).rejects.toThrow('connection reset');
    expect(await leftovers()).toEqual([]);
  });
});
