import type { AppContext } from '../platform/context.js';
import { withTx, type Tx } from '../platform/db.js';
import type { EditKind } from '../platform/db-types.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import { count } from '../platform/format.js';
import { lockUser } from '../limits/queries.js';
import { CapReachedError } from '../limits/quota.js';
import { getSettings } from '../settings/service.js';
import * as q from './queries.js';
import type { Inverse } from './record.js';

export interface Undone {
  kind: EditKind;
  label: string;
  clipId: string | null;
  /** Edits still undoable after this one. */
  left: number;
}

/** What a feature does once its edit is undone (focus re-makes the free draft), handed in by app.ts. */
export type AfterUndo = Partial<Record<EditKind, (ctx: AppContext, userId: string, clipId: string) => Promise<void>>>;

const BUSY = 'This clip is being animated with AI from its current crop. Undo once that take is ready.';

/** Puts columns back; with a discard, first checks the clip is not busy and keeps a take chosen since. */
async function applySet(tx: Tx, projectId: string, inverse: Extract<Inverse, { set: unknown }>): Promise<void> {
  const discard = inverse.discard;
  let keepTake = false;
  if (discard) {
    const clip = await q.lockClip(tx, projectId, discard.clipId);
    if (clip && (clip.status === 'queued' || clip.status === 'generating')) throw new ConflictError(BUSY, 'clip_busy');
    keepTake = Boolean(clip?.take_id && !discard.takeIds.includes(clip.take_id));
  }
  for (const s of inverse.set) {
    const { take_id, ...rest } = s.columns as Record<string, unknown>;
    const columns = take_id === undefined || (keepTake && s.clipId === discard?.clipId) ? rest : { ...rest, take_id };
    await q.setClipColumns(tx, projectId, s.clipId, columns);
  }
  if (discard) await q.deleteTakes(tx, discard.clipId, discard.takeIds);
}

async function apply(tx: Tx, projectId: string, inverse: Inverse): Promise<void> {
  if ('set' in inverse) {
    await applySet(tx, projectId, inverse);
  } else if ('order' in inverse) {
    const current = await q.lockClipIds(tx, projectId);
    const now = new Set(current);
    const was = new Set(inverse.order);
    // Clips deleted since are skipped; clips added since keep their order, after the others.
    await q.writePositions(tx, projectId, [...inverse.order.filter((id) => now.has(id)), ...current.filter((id) => !was.has(id))]);
  } else {
    await q.insertClipRows(tx, inverse.restore.clip, inverse.restore.takes);
  }
}

/** A foreign key or unique violation: what the undo would bring back clashes with what is there now. */
const clashes = (err: unknown) => ['23503', '23505'].includes(String((err as { code?: string }).code));

/** An edit that can no longer be undone: dropped from the log (after the rollback) and the person told why. */
class Dropped extends Error {
  constructor(
    readonly editId: number,
    readonly refusal: ConflictError,
  ) {
    super(refusal.message);
  }
}

/**
 * Bringing a deleted clip back past the project's clip cap (clips added since the delete filled it)
 * is refused, and the entry dropped: kept, it would stay on top of the log with nothing able to make
 * room (deleting a clip to make room is itself the newer edit an undo takes back first).
 */
async function checkRoomForOneMore(tx: Tx, projectId: string, edit: { id: number; label: string }): Promise<void> {
  const { maxClipsPerProject: max } = await getSettings(tx);
  if ((await q.countClips(tx, projectId)) < max) return;
  throw new Dropped(
    edit.id,
    new CapReachedError(`“${edit.label}” cannot be undone: this project already holds ${count(max, 'clip')}, its limit, so that clip cannot come back. Older edits can still be undone.`),
  );
}

/**
 * Undoes the project's newest edit, in one transaction with dropping it from the log. A restored
 * clip takes its kept objects back (the entry's held bytes move to the clip's rows). An edit that
 * can no longer be undone (what it would restore is gone, or a restored clip would not fit under the
 * clip cap) is dropped, its kept objects left to the purge, and the person told so (409).
 */
export async function undoLast(ctx: AppContext, userId: string, projectId: string, after: AfterUndo = {}): Promise<Undone> {
  if (!isUuid(projectId)) throw new NotFoundError();
  const undone = await withTx(ctx.db, async (tx) => {
    // The person first, as a new clip's transaction does (claimStorage), so an undo bringing a clip
    // back and an upload take turns on the clip cap without deadlocking on the project row.
    await lockUser(tx, userId);
    if (!(await q.lockProjectForUser(tx, userId, projectId))) throw new NotFoundError();
    const edit = await q.lockLastEdit(tx, projectId);
    if (!edit) throw new ConflictError('Nothing to undo: this project has no recent edits.', 'nothing_to_undo');
    const inverse = edit.inverse as Inverse;
    if ('restore' in inverse) await checkRoomForOneMore(tx, projectId, edit);
    try {
      await apply(tx, projectId, inverse);
    } catch (err) {
      if (!clashes(err)) throw err;
      throw new Dropped(edit.id, new ConflictError(`“${edit.label}” can no longer be undone: what it would bring back has changed since.`, 'undo_stale'));
    }
    await q.deleteEdit(tx, edit.id);
    const discarded = 'set' in inverse ? (inverse.discard?.keys ?? []) : [];
    return { kind: edit.kind, label: edit.label, clipId: edit.clip_id, left: await q.countUndoable(tx, projectId), discarded };
  }).catch(async (err) => {
    if (!(err instanceof Dropped)) throw err;
    await q.expireEdit(ctx.db, err.editId);
    throw err.refusal;
  });
  // What the undone edit made and nothing uses now (a crop and its draft's video). A draft still
  // rendering finds its take gone and deletes its own video.
  if (undone.discarded.length) await ctx.storage.deleteMany(undone.discarded).catch((err) => ctx.logger.error({ err, keys: undone.discarded }, 'objects of an undone edit not deleted'));
  const hook = undone.clipId ? after[undone.kind] : undefined;
  if (hook) await hook(ctx, userId, undone.clipId!).catch((err) => ctx.logger.error({ err, projectId, kind: undone.kind }, 'after-undo step failed'));
  return { kind: undone.kind, label: undone.label, clipId: undone.clipId, left: undone.left };
}

export async function undoableCount(ctx: AppContext, projectId: string): Promise<number> {
  return q.countUndoable(ctx.db, projectId);
}
