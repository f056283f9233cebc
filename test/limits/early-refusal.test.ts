import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createTestApp, type TestApp } from '../setup/context.js';
import { balanceOf, testImage, uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { pngHeaderOnly } from './helpers.js';

// A person who cannot pay is refused before the image is read or decoded: in milliseconds, not
// after sharp has spent CPU on a large picture.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const objectsUnder = async (prefix: string) =>
  (await readdir(path.join(t.dataDir, 'objects', prefix), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile());

describe('POST /projects/:id/clips without credits', () => {
  it('answers 402 before decoding: an image the decoder would refuse (too many pixels) still gets the credits page', async () => {
    const { user, project, b } = await creator(t, 0);
    // The decoder answers this one with 413 "too many pixels"; 402 means the balance came first.
    const res = await uploadClip(b, project.id, { image: pngHeaderOnly(100_000, 100_000) });
    expect(res.statusCode).toBe(402);
    expect(res.body).toContain('This needs 1 credit and you have 0.');
    expect(res.body).toContain('href="/credits"');
    const frag = await uploadClip(b, project.id, { image: pngHeaderOnly(100_000, 100_000), htmx: true });
    expect(frag.statusCode).toBe(402);
    expect(frag.body).not.toContain('<html');
    expect(await objectsUnder(`images/${user.id}`)).toEqual([]);
  });

  it('with credits, the same image reaches the decoder (so the test above can tell the two apart)', async () => {
    const { project, b } = await creator(t, 1);
    const res = await uploadClip(b, project.id, { image: pngHeaderOnly(100_000, 100_000) });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('megapixels');
  });

  it('checks against the cheapest length; the chosen length is still charged exactly in the transaction', async () => {
    const { user, project, b } = await creator(t, 1);
    // 1 credit pays a 5 s clip but not a 10 s one: admitted early, refused by the exact charge.
    const res = await uploadClip(b, project.id, { image: await testImage(), duration: 10 });
    expect(res.statusCode).toBe(402);
    expect(res.body).toContain('This needs 2 credits and you have 1.');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
    expect(await objectsUnder(`images/${user.id}`)).toEqual([]);
  });
});
