import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { createTestContext, type TestContext } from '../setup/context.js';
import { waitFor } from '../factories/clips.js';
import { WORKER_ARGS } from '../setup/start-commands.js';

// `npm run worker` as ops run it: it starts, keeps a heartbeat the compose health check reads,
// and stops cleanly on SIGTERM.

let t: TestContext;
let tmp: string;
beforeAll(async () => {
  t = await createTestContext();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'echoes-worker-proc-'));
});
afterAll(async () => {
  await t?.close();
  await rm(tmp, { recursive: true, force: true });
});

const heartbeat = () => path.join(tmp, 'echoes-worker-alive');

/** The worker service's health check from docker-compose.yml, run as compose would. */
function healthCheck(): number {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, { healthcheck: { test: string[] } }> };
  const [, bin, ...args] = compose.services.worker!.healthcheck.test;
  return spawnSync(bin === 'node' ? process.execPath : bin!, args, { env: { ...process.env, TMPDIR: tmp } }).status ?? -1;
}

describe('the worker process', () => {
  it('writes a heartbeat the health check accepts, and exits 0 on SIGTERM', async () => {
    expect(healthCheck()).toBe(1); // no heartbeat yet
    const child = spawn(process.execPath, WORKER_ARGS, { env: { ...process.env, ...t.env, TMPDIR: tmp }, stdio: 'ignore' });
    try {
      await waitFor(() => stat(heartbeat()).then(() => true, () => false), 'the first heartbeat', 120_000, 200);
      expect(healthCheck()).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);

    // A stale heartbeat (a worker stuck or cut off from Redis for a while) fails the check.
    const old = new Date(Date.now() - 120_000);
    await writeFile(heartbeat(), 'old');
    await utimes(heartbeat(), old, old);
    expect(healthCheck()).toBe(1);
  }, 180_000);
});
