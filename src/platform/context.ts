import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { allMigrationsApplied, createDb, ensureDatabase, migrateToLatest, type DB } from './db.js';
import { resolveFfmpeg, type FfmpegBinaries } from './ffmpeg.js';
import { createLogger, type Logger } from './logger.js';
import { createQueues, type Queues } from './queues.js';
import { createRedis, untilReady } from './redis.js';
import type { Storage } from './storage.js';

/**
 * The shared services, built once per process and handed to the web app and to the workers alike,
 * so a job sees exactly what a request sees.
 */
export interface AppContext {
  config: Config;
  db: DB;
  redis: Redis;
  storage: Storage;
  queues: Queues;
  logger: Logger;
  /** The ffmpeg and ffprobe every feature runs, found once at start. */
  ffmpeg: FfmpegBinaries;
}

export interface ContextOptions {
  /** Skip creating and migrating the database (tests hand in a migrated copy). */
  skipMigrate?: boolean;
  logger?: Logger;
  /** The media store (src/storage's createStorage(config)); handed in so the platform imports no feature. */
  storage: Storage;
}

export async function createContext(config: Config, opts: ContextOptions): Promise<AppContext> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  let db = createDb(config.DATABASE_URL);
  // A migrated database (the usual start) is seen in one query; otherwise it is created and migrated.
  if (!opts.skipMigrate && !(await allMigrationsApplied(db))) {
    await db.destroy(); // its pool may hold a failed connection to a database that did not exist yet
    await ensureDatabase(config.DATABASE_URL);
    db = createDb(config.DATABASE_URL);
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
  }
  const { storage } = opts;
  await storage.ensureReady();
  const redis = createRedis(config.REDIS_URL);
  await untilReady(redis);
  return {
    config,
    db,
    redis,
    storage,
    queues: createQueues(config.REDIS_URL, config.QUEUE_PREFIX, { logger }),
    logger,
    ffmpeg: resolveFfmpeg(config),
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queues.close();
  ctx.redis.disconnect();
  await ctx.db.destroy();
}
