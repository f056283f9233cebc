import { afterAll, beforeAll } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import type { TestBrowser } from '../setup/browser.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';

export interface AdminWorld {
  t: TestApp;
  /** A browser signed in to /admin. */
  b: TestBrowser;
}

/** One app with an admin password for the test file, and an admin browser; closed after. */
export function useAdminApp(env: Record<string, string | undefined> = {}): AdminWorld {
  const world = {} as AdminWorld;
  beforeAll(async () => {
    world.t = await createTestApp({ ADMIN_PASSWORD, ...env });
    world.b = await adminBrowser(world.t.app);
  });
  afterAll(async () => {
    await world.t?.close();
  });
  return world;
}
