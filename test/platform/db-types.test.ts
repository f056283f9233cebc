import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDbSchema, SCHEMA_FILE } from '../../scripts/db-types.js';
import { createTestContext, type TestContext } from '../setup/context.js';

// src/platform/db-schema.ts is generated from the schema the migrations build (`npm run db:types`);
// the test database is a copy of a freshly migrated template, so generating from it must give the
// committed file, byte for byte.

let t: TestContext;
let dir: string;
beforeAll(async () => {
  t = await createTestContext();
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-db-types-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('db-schema.ts', () => {
  it('is what `npm run db:types` generates from the migrated schema', async () => {
    const out = path.join(dir, 'db-schema.ts');
    await generateDbSchema(t.env.DATABASE_URL!, out);
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    const generated = await readFile(out, 'utf8');
    expect(generated, 'src/platform/db-schema.ts is out of date: run `npm run db:types` and commit it').toBe(committed);
  });
});
