// The worker process measured by bench/generation.ts (a leading _ keeps bench/run.ts from running it): real workers from src/worker.ts, reporting
// its own CPU time and peak memory when asked to stop.
import { loadConfig } from '../src/platform/config.js';
import { closeContext, createContext } from '../src/platform/context.js';
import { createStorage } from '../src/storage/index.js';
import { startWorkers } from '../src/worker.js';

const startup = process.cpuUsage();
const config = loadConfig();
const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
const running = startWorkers(ctx, { periodic: false });
process.send?.({ type: 'ready' });
process.on('message', async (msg: { type?: string }) => {
  if (msg?.type !== 'stop') return;
  await running.close();
  const cpu = process.cpuUsage();
  const usage = process.resourceUsage();
  // CPU spent loading code (tsx transpiling) is reported apart from the work itself.
  process.send?.({ type: 'stats', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, startupCpuUs: startup.user + startup.system, maxRssKb: usage.maxRSS });
  await closeContext(ctx);
  process.exit(0);
});
