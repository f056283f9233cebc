import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchNext } from '../../src/export/dispatch.js';
import { startExport } from '../../src/export/service.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';

const tiny = { width: 160, height: 90, durationS: 1 };

/** One person's exports run one after another; different people's take turns in the one queue. */
describe('export turns', () => {
  let tc: TestContext;
  beforeAll(async () => {
    tc = await createTestContext();
  });
  afterAll(async () => {
    await tc?.close();
  });

  const projectOf = async (userId: string) => {
    const seeded = await seedExportProject(tc.ctx, userId, { clips: [tiny] });
    return tc.ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();
  };
  /** The export jobs waiting in the queue, in the order a worker takes them. */
  const queueOrder = async () => {
    const jobs = await tc.ctx.queues.export.getJobs(['prioritized', 'waiting'], 0, -1, true);
    return jobs.sort((a, b) => a.timestamp - b.timestamp).map((j) => j.id);
  };

  it('queues a person\'s second export only when the first is over, behind the others waiting', async () => {
    const alice = await createUser(tc.ctx.db);
    const bob = await createUser(tc.ctx.db);
    const a1 = await startExport(tc.ctx, await projectOf(alice.id));
    const a2 = await startExport(tc.ctx, await projectOf(alice.id), { resolution: 720, shape: '1:1' });
    const b1 = await startExport(tc.ctx, await projectOf(bob.id));
    expect(a1.dispatched_at).not.toBeNull();
    expect(a2.dispatched_at).toBeNull(); // waits in the database, not in the queue
    expect(await queueOrder()).toEqual([a1.id, b1.id]);

    // Dispatching again while Alice's first is still on changes nothing (no job twice).
    expect(await dispatchNext(tc.ctx, alice.id)).toBeUndefined();
    expect(await queueOrder()).toEqual([a1.id, b1.id]);

    // Alice's first is done (the worker takes it, then hands on her turn): her second joins the back of the line.
    await tc.ctx.queues.export.remove(a1.id);
    await tc.ctx.db.updateTable('exports').set({ status: 'ready', progress: 1 }).where('id', '=', a1.id).execute();
    const next = await dispatchNext(tc.ctx, alice.id);
    expect(next?.id).toBe(a2.id);
    expect(await queueOrder()).toEqual([b1.id, a2.id]);
    const job = await tc.ctx.queues.export.getJob(a2.id);
    expect(job?.data).toEqual({ exportId: a2.id, userId: alice.id });
  });
});
