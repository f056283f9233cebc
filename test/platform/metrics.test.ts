import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { grantCredits, spendCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { createUser } from '../factories.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { waitFor } from '../factories/clips.js';
import { startWorkers } from '../../src/worker.js';

let open: TestApp;
let guarded: TestApp;
beforeAll(async () => {
  open = await createTestApp();
  guarded = await createTestApp({ METRICS_TOKEN: 'scrape-secret' });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
});

describe('/metrics', () => {
  it('serves Prometheus text with request durations and queue depth', async () => {
    await open.app.inject('/');
    const res = await open.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('echoes_http_request_duration_seconds_bucket');
    // Queue depth is left out of a scrape when Redis takes over 500 ms (a loaded machine, a cold connection).
    const depth = /echoes_queue_jobs\{queue="generation",state="waiting"\} \d+/;
    await waitFor(async () => depth.test((await open.app.inject('/metrics')).body), 'queue depth in /metrics');
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    expect((await guarded.app.inject('/metrics')).statusCode).toBe(401);
    expect((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-secret!' } })).statusCode).toBe(401);
    expect((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })).statusCode).toBe(200);
  });
});

describe('credits counter', () => {
  const counted = async (direction: string, type: string) => {
    const body = (await open.app.inject('/metrics')).body;
    const line = body.split('\n').find((l) => l.startsWith(`echoes_credits_total{direction="${direction}",type="${type}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('counts credits granted and spent once their transaction commits, and not when it rolls back', async () => {
    const user = await createUser(open.ctx.db);
    const granted = await counted('granted', 'admin');
    const spent = await counted('spent', 'generation');

    await withTx(open.ctx.db, (tx) => grantCredits(tx, user.id, 5, 'admin', null, 'test'));
    await withTx(open.ctx.db, (tx) => spendCredits(tx, user.id, 2, 'generation', `metrics-${user.id}`, 'test'));
    await expect(
      withTx(open.ctx.db, async (tx) => {
        await grantCredits(tx, user.id, 7, 'admin', null, 'rolled back');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');

    expect(await counted('granted', 'admin')).toBe(granted + 5);
    expect(await counted('spent', 'generation')).toBe(spent + 2);
  });
});

describe('job waits', () => {
  const counted = async () => {
    const line = (await open.app.inject('/metrics')).body.split('\n').find((l) => l.startsWith('echoes_job_wait_seconds_count{queue="analysis"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('records how long a job waited for a worker when the worker starts it', async () => {
    const before = await counted();
    // A job about a project that does not exist: the worker starts it and finds nothing to do.
    await open.ctx.queues.analysis.add('analyse', { projectId: randomUUID(), musicKey: 'music/none' });
    const workers = startWorkers(open.ctx, { periodic: false });
    try {
      await waitFor(async () => ((await counted()) > before ? true : undefined), 'the job wait to be recorded', 10_000, 50);
    } finally {
      await workers.close();
    }
    expect(await counted()).toBe(before + 1);
  });
});
