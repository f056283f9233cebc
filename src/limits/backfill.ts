import type { AppContext } from '../platform/context.js';
import type { PeriodicTask } from '../platform/jobs.js';
import { clipsWithoutSizes, projectsWithoutMusicSize, setClipSizes, setMusicSize, setTakeSize, takesWithoutSizes } from './queries.js';

const BATCH = 200;

/**
 * Records the sizes of objects stored before sizes were (migration 0010), asking storage for
 * each, a batch at a time. A missing object counts as 0 bytes. Returns how many rows it filled;
 * nothing to do is one indexed query.
 */
export async function backfillStorageSizes(ctx: Pick<AppContext, 'db' | 'storage'>): Promise<number> {
  const size = async (key: string | null) => (key ? ((await ctx.storage.size(key).catch(() => null)) ?? 0) : 0);
  const clips = await clipsWithoutSizes(ctx.db, BATCH);
  for (const c of clips) {
    await setClipSizes(ctx.db, c.id, { imageKey: c.image_key, imageBytes: (await size(c.image_key)) + (await size(c.thumb_key)) });
  }
  const takes = await takesWithoutSizes(ctx.db, BATCH);
  for (const t of takes) await setTakeSize(ctx.db, t.id, t.video_key!, await size(t.video_key));
  const projects = await projectsWithoutMusicSize(ctx.db, BATCH);
  for (const p of projects) await setMusicSize(ctx.db, p.id, p.music_key!, await size(p.music_key));
  return clips.length + takes.length + projects.length;
}

export const storageSizeTasks: PeriodicTask[] = [
  {
    name: 'storage-size-backfill',
    everyMs: 60_000,
    run: async (ctx) => {
      const n = await backfillStorageSizes(ctx);
      if (n > 0) ctx.logger.info({ rows: n }, 'storage sizes recorded');
    },
  },
];
