import type { Conn, Tx } from '../platform/db.js';

/** The project's clips, locked, with what re-cropping them needs. */
export async function lockProjectClips(tx: Tx, userId: string, projectId: string) {
  return tx
    .selectFrom('clips')
    .select(['id', 'user_id', 'project_id', 'status', 'ratio', 'duration_s', 'focus_x', 'focus_y', 'image_key', 'thumb_key', 'source_key'])
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** The project's clips as they are now (unlocked): what to crop before the transaction. */
export async function listProjectClips(db: Conn, userId: string, projectId: string) {
  return db
    .selectFrom('clips')
    .select(['id', 'status', 'focus_x', 'focus_y', 'image_key', 'source_key'])
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** Locks the project row (one shape change at a time); undefined when it is not the user's. */
export async function lockProject(tx: Tx, userId: string, projectId: string) {
  return tx.selectFrom('projects').select(['id', 'ratio', 'shape_settled']).where('id', '=', projectId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

/** The project's shape is answered (and changed, when `ratio` is given). */
export async function settleShape(tx: Tx, projectId: string, ratio?: string) {
  await tx
    .updateTable('projects')
    .set({ shape_settled: true, ...(ratio ? { ratio, updated_at: new Date() } : {}) })
    .where('id', '=', projectId)
    .execute();
}

/** A clip re-cropped to a new frame: its shape and the keys of its new image and thumbnail. */
export async function setClipFrame(tx: Tx, clipId: string, f: { ratio: string; imageKey: string; thumbKey: string; imageBytes: number }) {
  return tx
    .updateTable('clips')
    .set({ ratio: f.ratio, image_key: f.imageKey, thumb_key: f.thumbKey, image_bytes: f.imageBytes, updated_at: new Date() })
    .where('id', '=', clipId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Whether the clip has a draft waiting in its queue, not yet started (it will read the new frame when it starts). */
export async function hasWaitingDraft(tx: Tx, clipId: string): Promise<boolean> {
  const row = await tx.selectFrom('takes').select('id').where('clip_id', '=', clipId).where('kind', '=', 'draft').where('status', '=', 'queued').executeTakeFirst();
  return Boolean(row);
}

/** What the shape offer reads of each clip of the project (src/shape/service.ts shapeOfferFor). */
export async function listOfferInputs(db: Conn, userId: string, projectId: string) {
  return db.selectFrom('clips').select(['status', 'source_width', 'source_height']).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
}
