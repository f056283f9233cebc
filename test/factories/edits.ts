import type { AppContext } from '../../src/platform/context.js';
import { purgeExpiredEdits } from '../../src/undo/purge.js';

/** Ends the undo window of every edit of the project now (as 20 newer edits would) and purges what they held. */
export async function forgetEdits(ctx: Pick<AppContext, 'db' | 'storage' | 'logger'>, projectId: string): Promise<void> {
  await ctx.db.updateTable('project_edits').set({ expired: true }).where('project_id', '=', projectId).execute();
  await purgeExpiredEdits(ctx, { projectId });
}
