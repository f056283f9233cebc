import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';

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
    expect(res.body).toMatch(/echoes_queue_jobs\{queue="generation",state="waiting"\} \d+/);
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    expect((await guarded.app.inject('/metrics')).statusCode).toBe(401);
    expect((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-secret!' } })).statusCode).toBe(401);
    expect((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })).statusCode).toBe(200);
  });
});
