import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Job } from 'bullmq';
import type { AppContext } from '../platform/context.js';
import { renderZoomClip } from '../generation/providers/local-render.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { getSettings } from '../settings/service.js';
import { storageKeys } from '../storage/index.js';
import * as takes from '../takes/queries.js';
import type { DraftJobData } from './service.js';

/** Where a draft's MP4 is stored: beside the clip's other videos, one per take. */
export function draftVideoKey(ids: { user_id: string; project_id: string; clip_id: string }, takeId: string): string {
  return storageKeys.clip(ids.user_id, ids.project_id, ids.clip_id).replace(/\.mp4$/, `.draft-${takeId}.mp4`);
}

/** Drafts are free and many at once: they yield the CPU to pages, uploads and paid renders (exports are 10). */
export const DRAFT_NICENESS = 5;

const MESSAGE = 'The free draft of this photo could not be made. Animating it with AI still works.';

/**
 * Renders one draft: the photo with a slow pan and zoom (the local motion render), stored, then the
 * take made ready and, when the clip has no AI take in use, chosen for the film. Safe to run twice
 * (the key is the take's); a take that ended or whose clip was deleted meanwhile leaves nothing.
 */
export function makeDraftProcessor(ctx: AppContext) {
  return async (job: Job<DraftJobData>): Promise<string> => {
    const draft = await takes.findDraftToRender(ctx.db, job.data.takeId);
    if (!draft || (draft.status !== 'queued' && draft.status !== 'generating')) return 'stale';
    if (!(await takes.claimDraft(ctx.db, draft.id))) return 'stale';
    const log = ctx.logger.child({ takeId: draft.id, clipId: draft.clip_id, jobId: job.id });
    const settings = await getSettings(ctx.db);
    const size = ratioOrDefault(draft.ratio, settings.defaultRatio);
    const key = draftVideoKey(draft, draft.id);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-draft-'));
    let bytes: number;
    try {
      const imagePath = path.join(dir, 'image');
      const outPath = path.join(dir, 'draft.mp4');
      await pipeline(await ctx.storage.get(draft.image_key), createWriteStream(imagePath));
      await renderZoomClip({ ffmpeg: ctx.ffmpeg.ffmpeg, imagePath, outPath, width: size.width, height: size.height, durationS: draft.duration_s, niceness: DRAFT_NICENESS });
      bytes = (await stat(outPath)).size;
      await ctx.storage.put(key, createReadStream(outPath), 'video/mp4');
    } catch (err) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: (err as Error).message, last }, 'draft render failed');
      if (!last) throw err;
      await takes.failDraft(ctx.db, draft.id, { code: 'DRAFT_FAILED', message: MESSAGE });
      return 'error';
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const clip = await takes.completeDraft(ctx.db, draft.id, { key, bytes, durationS: draft.duration_s });
    if (!clip) {
      await ctx.storage.delete(key).catch(() => {}); // deleted or ended meanwhile: leave nothing behind
      return 'stale';
    }
    log.info('draft ready');
    return 'ready';
  };
}
