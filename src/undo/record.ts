import type { Tx } from '../platform/db.js';
import type { ClipUpdate, EditKind } from '../platform/db-types.js';
import { expireBeyond, insertEdit } from './queries.js';

/** How many edits of a project can be undone. */
export const UNDO_DEPTH = 20;

/** Clip columns an undo may put back (never who or where the clip belongs). */
export type ClipColumns = Omit<ClipUpdate, 'id' | 'project_id' | 'user_id' | 'created_at' | 'updated_at'>;

/** A deleted clip's rows as they were, to insert again. */
export interface ClipSnapshot {
  clip: Record<string, unknown>;
  takes: Array<Record<string, unknown>>;
}

/** What undoing an edit does; only plain data, applied by src/undo (so no feature imports another). */
export type Inverse =
  /** Put these columns of these clips back as they were (and throw away what the edit made, if it says). */
  | { set: Array<{ clipId: string; columns: ClipColumns }>; discard?: Discard }
  /** Put the project's clips back in this order (clips made since keep their place after them). */
  | { order: string[] }
  /** Bring a deleted clip back, with its takes. */
  | { restore: ClipSnapshot };

/**
 * What an edit made that its undo throws away: takes of the clip (a re-made draft) and objects (the
 * new crop, that draft's video), deleted once the undo has committed. While the clip is being
 * animated with AI the undo waits (409): the provider may still be reading the image. A `take_id`
 * in the columns goes back only when the clip still uses one of these takes (or none): a take that
 * finished since and was chosen stays.
 */
export interface Discard {
  clipId: string;
  takeIds: string[];
  keys: string[];
}

export interface Edit {
  projectId: string;
  userId: string;
  kind: EditKind;
  /** The clip edited (the Undo toast and live updates name it); none for a reorder. */
  clipId?: string | null;
  /** What the Undo toast says was done: "Clip trimmed", "Transition changed". */
  label: string;
  undo: Inverse;
  /** Objects the undo needs that would otherwise be deleted now (a deleted clip's), and their bytes. */
  held?: { keys: string[]; bytes: number };
}

/**
 * Records an edit in the transaction that makes it, so the edit and its undo commit together or
 * not at all. Call it after the change, with the values from before it:
 *
 *   await recordEdit(tx, { projectId, userId, kind: 'trim', clipId, label: 'Clip trimmed',
 *     undo: { set: [{ clipId, columns: { trim_in_s: before.trim_in_s, trim_out_s: before.trim_out_s } }] } });
 *
 * Only the project's last UNDO_DEPTH edits stay undoable.
 */
export async function recordEdit(tx: Tx, edit: Edit): Promise<void> {
  await insertEdit(tx, edit);
  await expireBeyond(tx, edit.projectId, UNDO_DEPTH);
}
