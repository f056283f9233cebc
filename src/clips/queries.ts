import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { Clip, NewClip, TakeKind } from '../platform/db-types.js';
import { isUuid } from '../platform/ids.js';

/** Clips with the video of the take the film uses (null: none ready yet) and its kind. */
export function clipsWithChosenTake(db: Conn) {
  return db
    .selectFrom('clips')
    .leftJoin('takes', 'takes.id', 'clips.take_id')
    .selectAll('clips')
    .select(['takes.video_key', 'takes.kind as take_kind', 'takes.video_duration_s'])
    // How many takes the clip has, and how many are ready: the card's "Takes (N)" (views/takes/_control.eta).
    .select(sql<string>`(select count(*) || '/' || count(*) filter (where t.status = 'ready') from takes t where t.clip_id = clips.id)`.as('takes_tally'));
}

export type ClipWithTake = Clip & { video_key: string | null; take_kind: TakeKind | null; video_duration_s: number | null; takes_tally: string };

/** A clip just inserted: no take chosen yet. */
export function withNoTake(clip: Clip): ClipWithTake {
  return { ...clip, video_key: null, take_kind: null, video_duration_s: null, takes_tally: '0/0' };
}

/** The clip (with its chosen take), only when it belongs to the user; undefined otherwise (answer 404). */
export async function findClipForUser(db: Conn, userId: string, clipId: string): Promise<ClipWithTake | undefined> {
  if (!isUuid(clipId)) return undefined;
  return clipsWithChosenTake(db).where('clips.id', '=', clipId).where('clips.user_id', '=', userId).executeTakeFirst();
}

/** Same, locked for the rest of the transaction. */
export async function lockClipForUser(db: Conn, userId: string, clipId: string) {
  if (!isUuid(clipId)) return undefined;
  return db.selectFrom('clips').selectAll().where('id', '=', clipId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

export async function listClipsForProject(db: Conn, userId: string, projectId: string): Promise<ClipWithTake[]> {
  return clipsWithChosenTake(db)
    .where('clips.project_id', '=', projectId)
    .where('clips.user_id', '=', userId)
    .orderBy('clips.position')
    .orderBy('clips.created_at')
    .execute();
}

/** The project's clip ids in order, locked so two reorders cannot interleave. */
export async function lockClipIdsForProject(db: Conn, userId: string, projectId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('clips')
    .select('id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .orderBy('position')
    .orderBy('created_at')
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

/** Inserts the clip at the end of its project. */
export async function insertClip(db: Conn, clip: Omit<NewClip, 'position'> & { id: string; project_id: string }) {
  return db
    .insertInto('clips')
    .values({
      ...clip,
      position: sql<number>`(select coalesce(max(position), 0) + 1 from clips where project_id = ${clip.project_id})`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Approval changes; approving needs a ready clip. Returns the row, or undefined when refused. */
export async function setApproved(db: Conn, userId: string, clipId: string, approved: boolean) {
  let q = db
    .updateTable('clips')
    .set({ approved, updated_at: new Date() })
    .where('id', '=', clipId)
    .where('user_id', '=', userId);
  if (approved) q = q.where('status', 'in', ['ready', 'draft']);
  return q.returningAll().executeTakeFirst();
}

/** The photo of the clip after this one in its project's order (what `end=next` ends on); undefined for the last. */
export async function nextClipImage(db: Conn, clip: Pick<Clip, 'id' | 'project_id'>): Promise<string | undefined> {
  // The page's order (position, then age); a project holds at most maxClipsPerProject clips.
  const rows = await db.selectFrom('clips').select(['id', 'image_key']).where('project_id', '=', clip.project_id).orderBy('position').orderBy('created_at').execute();
  return rows[rows.findIndex((r) => r.id === clip.id) + 1]?.image_key;
}

export async function deleteClipRow(db: Conn, clipId: string): Promise<void> {
  await db.deleteFrom('clips').where('id', '=', clipId).execute();
}

/** A moved focal point and the image cropped around it; the source too, for a clip that had none (its old image is the source). */
export async function setClipFocus(db: Conn, clipId: string, f: { focusX: number; focusY: number; imageKey: string; thumbKey: string; sourceKey: string; imageBytes: number }) {
  return db
    .updateTable('clips')
    .set({ focus_x: f.focusX, focus_y: f.focusY, image_key: f.imageKey, thumb_key: f.thumbKey, source_key: f.sourceKey, image_bytes: f.imageBytes, updated_at: new Date() })
    .where('id', '=', clipId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
