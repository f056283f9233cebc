import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { startRunwayFake, type RunwayFake } from '../fakes/runway.js';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';

/** The web app, real workers and a Runway fake, wired by configuration as in production. */
export interface World {
  t: TestApp;
  fake: RunwayFake;
  workers: RunningWorkers | null;
  startWorkers(): RunningWorkers;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const fake = await startRunwayFake();
  const t = await createTestApp({
    RUNWAY_API_URL: fake.url,
    RUNWAY_API_KEY: fake.apiKey,
    ACTIVE_AI_PROVIDER: 'runway',
    RUNWAY_POLL_INTERVAL_MS: '30',
    // The fake serves its videos itself; only its host is allowed (as Runway's CDN is in production).
    RUNWAY_OUTPUT_HOSTS: '127.0.0.1',
    ...env,
  });
  const world: World = {
    t,
    fake,
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
      await fake.close();
    },
  };
  return world;
}

/** A signed-in creator with credits and a project. */
export async function creator(t: TestApp, credits = 5, ratio = '1280:720') {
  const user = await createUser(t.ctx.db, { credits });
  const project = await createProject(t.ctx.db, user.id, { ratio });
  const b = new TestBrowser(t.app);
  await b.signInDev(user.email);
  return { user, project, b };
}

/**
 * One world per test file: started before the tests, closed after them; after each test the
 * workers stop and the ledger must balance. Returns a getter for the world.
 */
export function useWorld(env: Record<string, string> = {}): () => World {
  let w: World | undefined;
  beforeAll(async () => {
    w = await startWorld(env);
  });
  afterAll(async () => {
    await w?.close();
  });
  afterEach(async () => {
    await w!.stopWorkers();
    await expectLedgerBalanced(w!.t.ctx.db);
  });
  return () => w!;
}
