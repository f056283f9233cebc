// `npm run worker`: the workers alone, in a process of their own (src/worker.ts holds the list).
// A file of its own, not a "was I started directly?" test in worker.ts: compiled, worker.ts is
// bundled into the web server too, where such a test would start a second set of workers.
import 'dotenv/config';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './platform/config.js';
import { closeContext, createContext, type AppContext } from './platform/context.js';
import { createStorage } from './storage/index.js';
import { processors, startWorkers } from './worker.js';

/** Touched every 10 s while Redis answers; the compose health check reads its age. */
const HEARTBEAT_FILE = path.join(os.tmpdir(), 'echoes-worker-alive');

function beat(ctx: AppContext): NodeJS.Timeout {
  const tick = async () => {
    try {
      await ctx.redis.ping();
      await writeFile(HEARTBEAT_FILE, new Date().toISOString());
    } catch (err) {
      ctx.logger.warn({ err: (err as Error).message }, 'worker heartbeat skipped: Redis does not answer');
    }
  };
  void tick();
  const timer = setInterval(tick, 10_000);
  timer.unref();
  return timer;
}

async function main() {
  const config = loadConfig();
  const ctx = await createContext(config, { storage: await createStorage(config) });
  const running = startWorkers(ctx);
  beat(ctx);
  ctx.logger.info({ queues: processors.map((p) => p.queue) }, 'workers started');
  const stop = async (signal: string) => {
    ctx.logger.info({ signal }, 'workers stopping');
    await running.close();
    await closeContext(ctx);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
