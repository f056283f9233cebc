import { afterAll, beforeAll, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, ledgerFor, testImage, uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('fifty simultaneous submissions with one credit make exactly one clip', async () => {
  const { user, project, b } = await creator(t, 1);
  const image = await testImage(320, 300);
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => uploadClip(b, project.id, { image, prompt: `try ${i}` })));
  const codes = results.map((r) => r.statusCode).sort();
  expect(codes.filter((c) => c === 303)).toHaveLength(1);
  expect(codes.filter((c) => c === 402)).toHaveLength(49);

  const clips = await t.ctx.db.selectFrom('clips').selectAll().where('project_id', '=', project.id).execute();
  expect(clips).toHaveLength(1);
  expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
  const charges = (await ledgerFor(t.ctx.db, user.id)).filter((l) => l.type === 'generation');
  expect(charges).toEqual([{ amount: -1, type: 'generation', reference_id: `${clips[0]!.id}:1` }]);
  const objects = await readdir(path.join(t.dataDir, 'objects', 'images', user.id, project.id));
  expect(objects.sort()).toEqual([`${clips[0]!.id}.jpg`, `${clips[0]!.id}.source.jpg`, `${clips[0]!.id}.thumb.webp`]);
  await expectLedgerBalanced(t.ctx.db);
});
