import { describe, expect, it } from 'vitest';
import { CpuSlots } from '../../src/platform/cpu-slots.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('CpuSlots', () => {
  it('runs at most its size at once, the rest in the order they came', async () => {
    const slots = new CpuSlots(2);
    const jobs = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const done = jobs.map((j, i) => slots.run(async () => {
      started.push(i);
      await j.promise;
      return i;
    }));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(slots.load).toEqual({ running: 2, waiting: 3 });

    jobs[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    jobs[0]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const j of jobs) j.resolve();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4]);
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it('gives the slot back when a job fails', async () => {
    const slots = new CpuSlots(1);
    const failing = slots.run(async () => {
      throw new Error('bad image');
    });
    const next = slots.run(async () => 'next ran');
    await expect(failing).rejects.toThrow('bad image');
    expect(await next).toBe('next ran');
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it('needs at least one slot', () => {
    expect(() => new CpuSlots(0)).toThrow();
  });
});
