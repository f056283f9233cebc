import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredSessions } from '../../src/platform/session-store.js';
import { periodicTasks } from '../../src/worker.js';
import { createUser } from '../factories.js';
import { createTestContext, type TestContext } from '../setup/context.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => {
  await t?.close();
});

describe('expired sessions', () => {
  it('are deleted in batches by a worker task; live sessions stay', async () => {
    const user = await createUser(t.ctx.db);
    const hour = 3_600_000;
    const rows = [
      { sid: 'old-1', expires_at: new Date(Date.now() - 2 * hour) },
      { sid: 'old-2', expires_at: new Date(Date.now() - hour) },
      { sid: 'old-3', expires_at: new Date(Date.now() - 1000) },
      { sid: 'live', expires_at: new Date(Date.now() + hour) },
    ];
    await t.ctx.db.insertInto('sessions').values(rows.map((r) => ({ ...r, user_id: user.id, data: JSON.stringify({ passport: user.id }) }))).execute();

    expect(await purgeExpiredSessions(t.ctx.db, 2)).toBe(3);
    expect((await t.ctx.db.selectFrom('sessions').select('sid').execute()).map((r) => r.sid)).toEqual(['live']);
    expect(await purgeExpiredSessions(t.ctx.db)).toBe(0);
    expect(periodicTasks.map((p) => p.name)).toContain('expired-session-purge');
  });
});
