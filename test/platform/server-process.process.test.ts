import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { TEST_PG_URL, dbUrl } from '../setup/template-db.js';
import { waitFor } from '../factories/clips.js';
import { freePort } from '../setup/ports.js';
import { WEB_ARGS } from '../setup/start-commands.js';

// `npm start` on a fresh machine: the database it is given does not exist yet; the server creates
// and migrates it, answers /healthz, and stops cleanly on SIGTERM.

const name = `echoes_start_${randomBytes(4).toString('hex')}`;
const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};
afterAll(async () => {
  await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
});

describe('npm start on a fresh machine', () => {
  it('creates and migrates a missing database, serves /healthz, and exits 0 on SIGTERM', async () => {
    expect((await admin((c) => c.query('select 1 from pg_database where datname = $1', [name]))).rowCount).toBe(0);
    const port = await freePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-start-'));
    const child = spawn(process.execPath, WEB_ARGS, {
      env: { ...process.env, NODE_ENV: 'development', PORT: String(port), DATABASE_URL: dbUrl(name), DATA_DIR: dataDir, RUN_WORKERS: 'false', QUEUE_PREFIX: `start-${name}`, LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    try {
      const health = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
        return res?.status === 200 ? res : null;
      }, 'the server to answer /healthz', 120_000, 200); // generous: a busy machine starts slowly
      expect(health.status).toBe(200);
      const c = new pg.Client({ connectionString: dbUrl(name) });
      await c.connect();
      const applied = (await c.query('select name from kysely_migration order by name')).rows.map((r) => r.name as string);
      await c.end();
      expect(applied).toEqual(Object.keys(migrations).sort());
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  }, 180_000);
});
