import type { AppContext } from '../platform/context.js';
import { withTx, type Tx } from '../platform/db.js';
import type { EditKind } from '../platform/db-types.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
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

async function apply(tx: Tx, projectId: string, inverse: Inverse): Promise<void> {
  if ('set' in inverse) {
    for (const s of inverse.set) await q.setClipColumns(tx, projectId, s.clipId, s.columns as Record<string, unknown>);
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

/**
 * Undoes the project's newest edit, in one transaction with dropping it from the log. A restored
 * clip takes its kept objects back (the entry's held bytes move to the clip's rows). An edit that
 * can no longer be undone (what it would restore is gone) is dropped and the person told so.
 */
export async function undoLast(ctx: AppContext, userId: string, projectId: string, after: AfterUndo = {}): Promise<Undone> {
  if (!isUuid(projectId)) throw new NotFoundError();
  let stale: { id: number; label: string } | null = null;
  const undone = await withTx(ctx.db, async (tx) => {
    if (!(await q.lockProjectForUser(tx, userId, projectId))) throw new NotFoundError();
    const edit = await q.lockLastEdit(tx, projectId);
    if (!edit) throw new ConflictError('Nothing to undo: this project has no recent edits.', 'nothing_to_undo');
    try {
      await apply(tx, projectId, edit.inverse as Inverse);
    } catch (err) {
      if (!clashes(err)) throw err;
      stale = { id: edit.id, label: edit.label };
      throw err;
    }
    await q.deleteEdit(tx, edit.id);
    return { kind: edit.kind, label: edit.label, clipId: edit.clip_id, left: await q.countUndoable(tx, projectId) };
  }).catch(async (err) => {
    if (!stale) throw err;
    const { id, label } = stale;
    await q.deleteEdit(ctx.db, id);
    throw new ConflictError(`“${label}” can no longer be undone: what it would bring back has changed since.`, 'undo_stale');
  });
  const hook = undone.clipId ? after[undone.kind] : undefined;
  if (hook) await hook(ctx, userId, undone.clipId!).catch((err) => ctx.logger.error({ err, projectId, kind: undone.kind }, 'after-undo step failed'));
  return undone;
}

export async function undoableCount(ctx: AppContext, projectId: string): Promise<number> {
  return q.countUndoable(ctx.db, projectId);
}
