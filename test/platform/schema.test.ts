import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { isCheckViolation, isUniqueViolation } from '../../src/platform/errors.js';
import { createProject, createUser } from '../factories.js';
import { createClip } from '../factories/clips.js';
import { createTestContext, type TestContext } from '../setup/context.js';

// The schema itself refuses what must never be stored, whatever the code above it does.

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => {
  await t?.close();
});

async function refused(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('the database accepted it');
}

describe('schema constraints', () => {
  it('keeps balances at zero or above', async () => {
    const user = await createUser(t.ctx.db);
    const err = await refused(() => t.ctx.db.updateTable('users').set({ credit_balance: -1 }).where('id', '=', user.id).execute());
    expect(isCheckViolation(err)).toBe(true);
  });

  it('keeps referral codes unique', async () => {
    const a = await createUser(t.ctx.db);
    const b = await createUser(t.ctx.db);
    const err = await refused(() => t.ctx.db.updateTable('users').set({ referral_code: a.referral_code }).where('id', '=', b.id).execute());
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('grants once per (type, reference) in the ledger', async () => {
    const user = await createUser(t.ctx.db);
    const row = { user_id: user.id, amount: 1, type: 'share' as const, reference_id: 'project-1' };
    await t.ctx.db.insertInto('credit_transactions').values(row).execute();
    expect(isUniqueViolation(await refused(() => t.ctx.db.insertInto('credit_transactions').values(row).execute()))).toBe(true);
    expect(isCheckViolation(await refused(() => t.ctx.db.insertInto('credit_transactions').values({ ...row, reference_id: 'x', type: 'bonus' as never }).execute()))).toBe(true);
  });

  it('keeps one payment per Stripe session', async () => {
    const user = await createUser(t.ctx.db);
    const pack = await t.ctx.db.selectFrom('credit_packs').selectAll().executeTakeFirstOrThrow();
    const payment = { user_id: user.id, credit_pack_id: pack.id, amount_cents: 500, currency: 'usd', credits_purchased: 5, stripe_session_id: 'cs_test_same' };
    await t.ctx.db.insertInto('payments').values(payment as never).execute();
    expect(isUniqueViolation(await refused(() => t.ctx.db.insertInto('payments').values(payment as never).execute()))).toBe(true);
  });

  it('allows only known statuses', async () => {
    const user = await createUser(t.ctx.db, { credits: 1 });
    const project = await createProject(t.ctx.db, user.id);
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready' });
    expect(isCheckViolation(await refused(() => t.ctx.db.updateTable('clips').set({ status: 'done' as never }).where('id', '=', clip.id).execute()))).toBe(true);
    expect(isCheckViolation(await refused(() => t.ctx.db.updateTable('projects').set({ status: 'archived' as never }).where('id', '=', project.id).execute()))).toBe(true);
  });

  it('deletes a project\'s clips with it', async () => {
    const user = await createUser(t.ctx.db, { credits: 1 });
    const project = await createProject(t.ctx.db, user.id);
    await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready' });
    await t.ctx.db.deleteFrom('projects').where('id', '=', project.id).execute();
    const left = await sql<{ n: number }>`select count(*)::int as n from clips where project_id = ${project.id}`.execute(t.ctx.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
