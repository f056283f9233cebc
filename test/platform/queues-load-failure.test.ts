import { afterAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createQueues, enqueue } from '../../src/platform/queues.js';
import { clearQueuePrefix } from '../setup/context.js';

const prefix = `test-load-${randomUUID().slice(0, 8)}`;
afterAll(() => clearQueuePrefix(prefix));

it('when BullMQ cannot be loaded, an add fails with a logged error, and the next add loads it again', async () => {
  const logged: Array<{ obj: object; msg: string }> = [];
  let failNext = true;
  const queues = createQueues('redis://127.0.0.1:6379', prefix, {
    logger: { error: (obj, msg) => logged.push({ obj, msg }) },
    loadBullmq: async () => {
      if (failNext) {
        failNext = false;
        throw new Error('Cannot find module bullmq');
      }
      return import('bullmq');
    },
  });
  try {
    expect(await enqueue(queues.export, 'export', { n: 1 }, { jobId: 'a' })).toBe(false);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toMatch(/could not load BullMQ/);
    expect(logged[0]!.obj).toMatchObject({ queue: 'export', err: { message: 'Cannot find module bullmq' } });

    expect(await enqueue(queues.export, 'export', { n: 2 }, { jobId: 'b' })).toBe(true);
    expect((await queues.export.getJob('b'))?.data).toEqual({ n: 2 });
  } finally {
    await queues.close();
  }
});
