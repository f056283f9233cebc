import type { AppContext } from '../platform/context.js';
import type { PeriodicTask } from '../platform/jobs.js';
import * as q from './queries.js';

/**
 * Deletes the objects of edits that can no longer be undone (they fell out of the last 20), then
 * the edits themselves, whose held bytes then stop counting. Objects first: a crash in between
 * leaves an entry naming deleted objects, which the next round deletes again (a missing object is
 * no error). Safe to run in several processes at once.
 */
export async function purgeExpiredEdits(ctx: Pick<AppContext, 'db' | 'storage' | 'logger'>, opts: { projectId?: string; limit?: number } = {}): Promise<number> {
  const rows = await q.expiredHoldingEdits(ctx.db, opts.limit ?? 100, opts.projectId);
  for (const row of rows) {
    await ctx.storage.deleteMany(row.held_keys);
    await q.deleteEdit(ctx.db, row.id);
  }
  return rows.length;
}

export const editLogTasks: PeriodicTask[] = [
  {
    name: 'edit-log-purge',
    everyMs: 60_000,
    run: async (ctx) => {
      const n = await purgeExpiredEdits(ctx);
      if (n > 0) ctx.logger.info({ edits: n }, 'objects of expired edits deleted');
    },
  },
];
