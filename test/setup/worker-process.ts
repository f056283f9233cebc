// A real worker process for tests that kill one (SIGKILL) mid-job: src/worker.ts's workers over
// the settings in its environment, with a short job lock so a dead worker's job is taken back
// within seconds rather than the production 30 s. Tells its parent when it is ready.
import { loadConfig } from '../../src/platform/config.js';
import { closeContext, createContext } from '../../src/platform/context.js';
import { createStorage } from '../../src/storage/index.js';
import { startWorkers } from '../../src/worker.js';

const config = loadConfig();
const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
const running = startWorkers(ctx, { periodic: false, lockDurationMs: Number(process.env.TEST_WORKER_LOCK_MS ?? 2000) });
await Promise.all(running.workers.map((w) => w.waitUntilReady()));
process.send?.('ready');
process.on('SIGTERM', async () => {
  await running.close();
  await closeContext(ctx);
  process.exit(0);
});
