import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createTestApp, type TestApp } from '../setup/context.js';
import { createProject, createUser } from '../factories.js';
import { buildAccountExport } from '../../src/account/data-export.js';
import { storageKeys } from '../../src/storage/index.js';

let t: TestApp;
const MB = 1024 * 1024;
const FILES = 40;
const FILE_MB = 26; // 40 × 26 MiB ≈ 1 GiB

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A large object written as a stream of one reused chunk: the test itself holds 1 MiB. */
function bigBody(mb: number, seed: number): Readable {
  const chunk = Buffer.alloc(MB, seed % 251);
  let left = mb;
  return new Readable({
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
}

describe('download my data, a 1 GB account', () => {
  it('builds the ZIP with memory growth under 50 MB', async () => {
    const user = await createUser(t.ctx.db);
    const project = await createProject(t.ctx.db, user.id);
    for (let i = 0; i < FILES; i++) await t.ctx.storage.put(storageKeys.clip(user.id, project.id, `clip-${i}`), bigBody(FILE_MB, i), 'video/mp4');
    const row = await t.ctx.db.insertInto('account_exports').values({ user_id: user.id }).returning('id').executeTakeFirstOrThrow();

    (globalThis as { gc?: () => void }).gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      await buildAccountExport(t.ctx, row.id);
    } finally {
      clearInterval(sampler);
    }
    const done = await t.ctx.db.selectFrom('account_exports').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(done.status).toBe('ready');
    expect(done.size_bytes).toBeGreaterThan(FILES * FILE_MB * MB);
    const grewMb = (peak - base) / MB;
    expect(grewMb, `RSS grew ${grewMb.toFixed(1)} MB`).toBeLessThan(50);
    if (process.env.SHOW_MEMORY) console.log(`account export of ${FILES * FILE_MB} MiB: RSS grew ${grewMb.toFixed(1)} MB`);
  }, 180_000);
});
