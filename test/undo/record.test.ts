import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createProject, createUser } from '../factories.js';
import { withTx } from '../../src/platform/db.js';
import { recordEdit, UNDO_DEPTH } from '../../src/undo/record.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => {
  await t.close();
});

const storage = async (userId: string) => Number((await t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', userId).executeTakeFirstOrThrow()).storage_bytes);
const edits = (projectId: string) => t.ctx.db.selectFrom('project_edits').selectAll().where('project_id', '=', projectId).orderBy('id').execute();

describe('recordEdit', () => {
  it('keeps the last 20 edits undoable; older ones holding nothing go, ones holding objects wait for the purge', async () => {
    const user = await createUser(t.ctx.db);
    const project = await createProject(t.ctx.db, user.id);
    await withTx(t.ctx.db, (tx) => recordEdit(tx, { projectId: project.id, userId: user.id, kind: 'delete', clipId: project.id, label: 'Clip deleted', undo: { order: [] }, held: { keys: ['a', 'b'], bytes: 700 } }));
    expect(await storage(user.id)).toBe(700);
    for (let i = 0; i < UNDO_DEPTH + 1; i++) {
      await withTx(t.ctx.db, (tx) => recordEdit(tx, { projectId: project.id, userId: user.id, kind: 'reorder', label: `Order ${i}`, undo: { order: [String(i)] } }));
    }
    const rows = await edits(project.id);
    const live = rows.filter((r) => !r.expired);
    expect(live).toHaveLength(UNDO_DEPTH);
    expect(live[0]!.label).toBe('Order 1');
    expect(live.at(-1)!.inverse).toEqual({ order: ['20'] });
    // The delete holding objects is expired, not gone: its bytes still count until the purge deletes them.
    expect(rows.filter((r) => r.expired).map((r) => [r.kind, r.held_keys])).toEqual([['delete', ['a', 'b']]]);
    expect(await storage(user.id)).toBe(700);
  });

  it('commits with the edit or not at all', async () => {
    const user = await createUser(t.ctx.db);
    const project = await createProject(t.ctx.db, user.id);
    await expect(withTx(t.ctx.db, async (tx) => {
      await recordEdit(tx, { projectId: project.id, userId: user.id, kind: 'trim', label: 'Clip trimmed', undo: { order: [] } });
      throw new Error('the edit failed');
    })).rejects.toThrow('the edit failed');
    expect(await edits(project.id)).toEqual([]);
  });
});
