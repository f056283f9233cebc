import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { ClipWithTake } from '../clips/queries.js';
import { cropToFrame } from '../clips/image.js';
import { admitDrafts, queueDraft } from '../drafts/service.js';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Project } from '../platform/db-types.js';
import { ConflictError, NotFoundError, UnavailableError } from '../platform/errors.js';
import { imageWork } from '../platform/image-work.js';
import { ratioLabel } from '../projects/labels.js';
import type { Ratio } from '../settings/ratios.js';
import { storageKeys } from '../storage/index.js';
import { expireAllEdits } from '../undo/queries.js';
import { hasWaitingDraft, listProjectClips, lockProject, lockProjectClips, setClipFrame, settleShape } from './queries.js';
import { suggestShape, type ShapeOffer } from './suggest.js';

export interface ShapeOfferView extends ShapeOffer {
  /** The offered shape's name ("Portrait 9:16") and the project's ("Landscape 16:9"). */
  label: string;
  currentLabel: string;
  current: string;
}

/**
 * What the project page offers: a shape matching most of the photos, while the film is only free
 * drafts (changing the shape re-crops every photo and makes its draft again, at no cost; an AI take
 * is made at the shape it was paid for) and the creator has not answered the offer yet.
 */
export function shapeOfferFor(project: Pick<Project, 'ratio' | 'shape_settled'>, clips: Array<Pick<ClipWithTake, 'status' | 'source_width' | 'source_height'>>): ShapeOfferView | null {
  if (project.shape_settled || clips.length === 0) return null;
  if (clips.some((c) => c.status !== 'draft' || !c.source_width || !c.source_height)) return null;
  const offer = suggestShape(project.ratio, clips.map((c) => ({ width: c.source_width!, height: c.source_height! })));
  return offer && { ...offer, label: offer.ratio.label, currentLabel: ratioLabel(project.ratio), current: project.ratio };
}

const ANIMATED = 'Some clips of this film are already animated with AI at its shape, so the shape can no longer change.';

/**
 * POST /projects/:id/shape: the creator answers the offer. The project's own shape settles it
 * (nothing changes); another shape re-crops every photo from its uncropped source around its focal
 * point, and each clip gets a new free draft (counted against the hourly draft limit first) unless
 * one is still waiting in the queue (it reads the new frame when it starts). Only while every clip is
 * a draft: a paid take was made at the old shape. New objects are stored before the one transaction
 * that points the clips at them and ends the undo of every earlier edit (each would put back a crop of
 * the old shape); the old crops are deleted after it.
 */
export async function chooseShape(ctx: AppContext, project: Project, ratio: Ratio): Promise<{ changed: number }> {
  if (ratio.value === project.ratio) {
    await withTx(ctx.db, async (tx) => {
      if (!(await lockProject(tx, project.user_id, project.id))) throw new NotFoundError();
      await settleShape(tx, project.id);
    });
    return { changed: 0 };
  }
  const before = await listProjectClips(ctx.db, project.user_id, project.id);
  if (before.some((c) => c.status !== 'draft')) throw new ConflictError(ANIMATED, 'shape_animated');
  if (before.length) await admitDrafts(ctx, project.user_id, before.length);

  const stamp = randomBytes(6).toString('hex');
  const made = new Map<string, { imageKey: string; thumbKey: string; bytes: number }>();
  const forget = () => ctx.storage.deleteMany([...made.values()].flatMap((m) => [m.imageKey, m.thumbKey])).catch(() => {});
  try {
    for (const c of before) {
      const keys = storageKeys.recrop(project.user_id, project.id, c.id, stamp);
      const source = await buffer(await ctx.storage.get(c.source_key ?? c.image_key));
      const { image, thumb } = await imageWork.run(() => cropToFrame(source, { width: ratio.width, height: ratio.height, focus: { x: c.focus_x, y: c.focus_y } }));
      made.set(c.id, { imageKey: keys.image, thumbKey: keys.thumb, bytes: image.length + thumb.length + source.length });
      await ctx.storage.put(keys.image, image, 'image/jpeg');
      await ctx.storage.put(keys.thumb, thumb, 'image/webp');
    }
  } catch (err) {
    ctx.logger.error({ err, projectId: project.id }, 'changing the shape failed');
    await forget();
    throw new UnavailableError('We could not change the shape just now. Nothing changed; please try again in a moment.', 'storage_failed');
  }

  let old: string[] = [];
  try {
    old = await withTx(ctx.db, async (tx) => {
      if (!(await lockProject(tx, project.user_id, project.id))) throw new NotFoundError();
      const clips = await lockProjectClips(tx, project.user_id, project.id);
      if (clips.some((c) => c.status !== 'draft')) throw new ConflictError(ANIMATED, 'shape_animated');
      // A photo added meanwhile was not cropped above: the creator answers again once it is in.
      if (clips.some((c) => !made.has(c.id))) throw new ConflictError('Photos were added while the shape was changing. Please choose the shape again.', 'shape_raced');
      const gone: string[] = [];
      for (const c of clips) {
        const m = made.get(c.id)!;
        const row = await setClipFrame(tx, c.id, { ratio: ratio.value, imageKey: m.imageKey, thumbKey: m.thumbKey, imageBytes: m.bytes });
        if (!(await hasWaitingDraft(tx, c.id))) await queueDraft(ctx, tx, row, { admitted: true });
        gone.push(...[c.image_key, c.thumb_key].filter((k): k is string => Boolean(k) && k !== c.source_key));
      }
      await settleShape(tx, project.id, ratio.value);
      // Earlier edits would undo to crops of the old shape: their undo ends here.
      await expireAllEdits(tx, project.id);
      return gone;
    });
  } catch (err) {
    await forget();
    throw err;
  }
  await ctx.storage.deleteMany(old).catch((err) => ctx.logger.error({ err, keys: old }, 'old crops not deleted'));
  ctx.logger.info({ projectId: project.id, ratio: ratio.value, clips: made.size }, 'project shape changed');
  return { changed: made.size };
}
