import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalStorage } from '../../src/storage/local.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-local-put-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a put whose body fails before its file has opened leaves no part file behind', async () => {
  const storage = new LocalStorage(dir, 'secret', 60);
  // The body fails at once, while the part file's open may still be in flight: a race, so many rounds.
  const failing = () => Readable.from((async function* () { yield Buffer.alloc(2048); throw new Error('connection reset'); })());
  for (let i = 0; i < 2000; i++) {
    await expect(storage.put('music/u/p/a.mp3', failing(), 'audio/mpeg')).rejects.toThrow('connection reset');
  }
  await new Promise((r) => setTimeout(r, 100));
  expect(await readdir(path.join(dir, 'objects', 'music', 'u', 'p'))).toEqual([]);
});
