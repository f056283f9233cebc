import net from 'node:net';
import { createTestApp, type TestApp } from '../setup/context.js';
import { startLumaFake, type LumaFake } from '../fakes/luma.js';
import { startRunwayFake, type RunwayFake } from '../fakes/runway.js';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';

/** A free port on 127.0.0.1 (the app must know its public address before it is built). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * The web app listening for real at PUBLIC_URL (the Luma fake fetches start images from its /media
 * and posts callbacks to it), workers, and the Luma and Runway fakes, wired by configuration.
 */
export interface ProvidersWorld {
  t: TestApp;
  luma: LumaFake;
  runway: RunwayFake;
  publicUrl: string;
  workers: RunningWorkers | null;
  startWorkers(): RunningWorkers;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function startProvidersWorld(env: Record<string, string> = {}): Promise<ProvidersWorld> {
  const [luma, runway, port] = await Promise.all([startLumaFake(), startRunwayFake(), freePort()]);
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({
    PUBLIC_URL: publicUrl,
    LUMA_API_URL: luma.url,
    LUMA_API_KEY: luma.apiKey,
    LUMA_POLL_INTERVAL_MS: '40',
    LUMA_OUTPUT_HOSTS: '127.0.0.1',
    RUNWAY_OUTPUT_HOSTS: '127.0.0.1',
    RUNWAY_API_URL: runway.url,
    RUNWAY_API_KEY: runway.apiKey,
    RUNWAY_POLL_INTERVAL_MS: '30',
    ACTIVE_AI_PROVIDER: 'luma',
    ...env,
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  const world: ProvidersWorld = {
    t,
    luma,
    runway,
    publicUrl,
    workers: null,
    startWorkers() {
      world.workers = startWorkers(t.ctx, { periodic: false });
      return world.workers;
    },
    async stopWorkers() {
      await world.workers?.close();
      world.workers = null;
    },
    async close() {
      await world.stopWorkers();
      await t.close();
      await Promise.all([luma.close(), runway.close()]);
    },
  };
  return world;
}
