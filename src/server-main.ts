// The web server (with the workers unless RUN_WORKERS=false), loaded by server.ts, which `npm start` runs.
import 'dotenv/config';
import { ConfigError, loadConfig } from './platform/config.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  // Loaded after the settings are checked, so a bad one is reported before the app's code is read.
  const [{ buildApp }, { closeContext, createContext }, { createStorage }] = await Promise.all([import('./app.js'), import('./platform/context.js'), import('./storage/index.js')]);
  const ctx = await createContext(config, { storage: await createStorage(config) });
  const app = await buildApp(ctx);
  let workers: { close(): Promise<void> } | null = null;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await app.close(); // stops taking requests, lets in-flight ones finish
    await workers?.close();
    await closeContext(ctx);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  // Listening first: /healthz (database, Redis, storage) and pages answer while the workers' code
  // loads and their Redis connections open; a job waits in Redis meanwhile (docs/decisions/0028).
  await app.listen({ port: config.PORT, host: config.listenHost });
  // The queues load BullMQ on first use; a person's first upload should not wait for that (nor for
  // their Redis connections), so they are made now, after the first request can be answered.
  ctx.queues.warm().catch((err: unknown) => app.log.warn({ err }, 'queues not ready yet'));
  if (config.RUN_WORKERS && !stopping) workers = (await import('./worker.js')).startWorkers(ctx);
  app.log.info({ url: config.publicUrl, host: config.listenHost, workers: Boolean(workers), provider: config.activeProvider, storage: ctx.storage.driver }, 'Echoes is running');
}

main().catch((err) => {
  console.error(err instanceof Error ? `Echoes could not start: ${err.message}` : err);
  process.exit(1);
});
