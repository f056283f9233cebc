import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { closeContext, createContext, type AppContext } from '../../src/platform/context.js';
import { createStorage } from '../../src/storage/index.js';
import { TEMPLATE_DB, TEST_PG_URL, dbUrl } from './template-db.js';

export interface TestContext {
  ctx: AppContext;
  /** The settings this world was made with, for a child process (a real worker) to share it. */
  env: Record<string, string>;
  dataDir: string;
  close(): Promise<void>;
}

async function cloneTemplate(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh world for one test file: its own migrated database (cloned from the template), its own
 * queue prefix in the real Redis, its own media folder. Extra settings override the defaults.
 */
export interface TestContextOptions {
  /** Reach Postgres through another port (a proxy a test can cut). */
  dbPort?: number;
}

export async function createTestContext(env: Record<string, string | undefined> = {}, opts: TestContextOptions = {}): Promise<TestContext> {
  const id = randomBytes(5).toString('hex');
  const dbName = `echoes_t_${Math.floor(Date.now() / 1000)}_${id}`;
  await cloneTemplate(dbName);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-data-'));
  const databaseUrl = new URL(dbUrl(dbName));
  if (opts.dbPort) databaseUrl.port = String(opts.dbPort);
  const settings = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-${id}`,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-123',
    RUNWAY_POLL_INTERVAL_MS: '50',
    ...env,
  };
  const config = loadConfig(settings);
  const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
  return {
    ctx,
    env: Object.fromEntries(Object.entries(settings).filter((e): e is [string, string] => e[1] !== undefined)),
    dataDir,
    async close() {
      await closeContext(ctx);
      await dropDatabase(dbName);
      await rm(dataDir, { recursive: true, force: true });
      await clearQueuePrefix(config.QUEUE_PREFIX);
    },
  };
}

export async function clearQueuePrefix(prefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis may be deliberately down in a resilience test.
  } finally {
    redis.disconnect();
  }
}

export interface TestApp extends TestContext {
  app: FastifyInstance;
}

/** The web app over a fresh test context (no workers; start them with startWorkers when needed). */
export async function createTestApp(env: Record<string, string | undefined> = {}, opts: TestContextOptions = {}): Promise<TestApp> {
  const tc = await createTestContext(env, opts);
  const app = await buildApp(tc.ctx);
  await app.ready();
  return {
    ...tc,
    app,
    async close() {
      await app.close();
      await tc.close();
    },
  };
}
