import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAccountExport } from '../../src/account/data-export.js';
import { saveSettings } from '../../src/settings/service.js';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, ledgerFor, latestClip, testImage, uploadClip, waitFor } from '../factories/clips.js';
import { creator } from '../generation/world.js';

// Issue 25, item 2: deleting a project while one of its clips renders used to keep the credits,
// leave the render running and let it store its MP4 under the deleted project, outside the quota
// and into the person's data download.

let t: TestApp;
let workers: RunningWorkers;
beforeAll(async () => {
  t = await createTestApp({ ACTIVE_AI_PROVIDER: 'local', RUNWAY_POLL_INTERVAL_MS: '100' });
  await saveSettings(t.ctx.db, { allowedDurations: [10], defaultDuration: 10 });
  workers = startWorkers(t.ctx, { periodic: false });
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(t.ctx.db);
});

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of t.ctx.storage.list(prefix)) keys.push(o.key);
  return keys;
}

const storageBytes = async (userId: string) =>
  Number((await t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', userId).executeTakeFirstOrThrow()).storage_bytes);

describe('deleting a project while a clip generates', () => {
  it('refunds the clip, cancels its render, and nothing is stored when the worker finishes afterwards', async () => {
    const { user, project, b } = await creator(t, 6);
    expect((await uploadClip(b, project.id, { image: await testImage(540, 304, 'jpeg'), duration: 10 })).statusCode).toBe(303);
    const clip = await latestClip(t.ctx.db, project.id);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(4);

    // The real worker has submitted it to the local provider, and ffmpeg is rendering.
    const taskId = await waitFor(async () => (await latestClip(t.ctx.db, project.id)).provider_task_id ?? undefined, 'task recorded', 20_000, 20);
    const task = `${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}`;
    await waitFor(async () => (Number(await t.ctx.redis.hget(task, 'progress')) > 0 ? true : undefined), 'render under way', 20_000, 20);

    const res = await b.post(`/projects/${project.id}/delete`);
    expect(res.statusCode).toBe(303);
    const bytesAfterDelete = await storageBytes(user.id);

    // Refunded as POST /clips/:id/delete refunds, and the render told to stop.
    expect(await balanceOf(t.ctx.db, user.id)).toBe(6);
    expect(await ledgerFor(t.ctx.db, user.id)).toContainEqual({ amount: 2, type: 'refund', reference_id: `${clip.id}:1` });
    expect(await t.ctx.redis.hget(task, 'state')).toBe('cancelled');

    // The render lets go of its lease once it has stopped: from then on nothing writes its output.
    await waitFor(async () => ((await t.ctx.redis.exists(`${task}:lease`)) === 0 ? true : undefined), 'render to stop', 30_000, 50);
    await new Promise((r) => setTimeout(r, 1500)); // the job's next polls find no clip
    expect(await keysUnder(`clips/${user.id}/`)).toEqual([]);
    expect(await keysUnder(`images/${user.id}/`)).toEqual([]);
    expect(await storageBytes(user.id)).toBe(bytesAfterDelete);

    // The person's data download holds nothing of the deleted project.
    const exportRow = await t.ctx.db.insertInto('account_exports').values({ user_id: user.id }).returningAll().executeTakeFirstOrThrow();
    await buildAccountExport(t.ctx, exportRow.id);
    const zipKey = (await t.ctx.db.selectFrom('account_exports').select('object_key').where('id', '=', exportRow.id).executeTakeFirstOrThrow()).object_key;
    expect(zipKey).toBeTruthy();
    const chunks: Buffer[] = [];
    for await (const c of await t.ctx.storage.get(zipKey!)) chunks.push(c as Buffer);
    // Media entries are stored uncompressed under their keys, which name the project.
    expect(Buffer.concat(chunks).includes(Buffer.from(project.id))).toBe(false);
  }, 60_000);
});
