import type { PassThrough } from 'node:stream';
import yazl from 'yazl';
import type { AppContext } from '../platform/context.js';
import type { AccountExport, User } from '../platform/db-types.js';
import { ConflictError, NotFoundError, UnavailableError, isUniqueViolation } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import { enqueue } from '../platform/queues.js';
import { gaveUpMessage, RETRY_OURS, RETRYING_MESSAGE } from '../platform/job-retry.js';
import * as q from './queries.js';
import { bytes } from '../platform/format.js';

export const KEEP_EXPORTS_MS = 7 * 24 * 3600 * 1000;
/** The media the ZIP holds: the design's four prefixes (never downloads/, the ZIPs themselves). */
const MEDIA_KINDS = ['images', 'clips', 'music', 'exports'];
const QUEUE_DOWN = 'Downloads cannot be prepared right now. Please try again in a minute.';
export const DOWNLOAD_GAVE_UP = gaveUpMessage('We could not prepare your download');

export const downloadKey = (userId: string, exportId: string) => `downloads/${userId}/${exportId}.zip`;
const jobId = (id: string) => `account-export-${id}`;

/** Records the download's new state and tells the person's open pages (their /account panel refreshes). */
async function update(ctx: AppContext, row: Pick<AccountExport, 'id' | 'user_id'>, changes: Parameters<typeof q.updateAccountExport>[2]): Promise<void> {
  await q.updateAccountExport(ctx.db, row.id, changes);
}

/** Queues a download of all the person's data; one at a time (409 while one is being built). */
export async function startAccountExport(ctx: AppContext, userId: string): Promise<AccountExport> {
  let row: AccountExport;
  try {
    row = await q.insertAccountExport(ctx.db, userId);
  } catch (err) {
    if (isUniqueViolation(err, 'account_exports_one_running')) throw new ConflictError('Your download is already being prepared.', 'account_export_running');
    throw err;
  }
  if (!(await enqueue(ctx.queues.account, 'account-export', { exportId: row.id, userId }, { jobId: jobId(row.id), ...RETRY_OURS }))) {
    await update(ctx, row, { status: 'error', error_message: QUEUE_DOWN });
    throw new UnavailableError(QUEUE_DOWN, 'queue_unavailable');
  }
  return row;
}

async function listMedia(ctx: AppContext, userId: string) {
  const objects: Array<{ key: string; size: number }> = [];
  for (const kind of MEDIA_KINDS) for await (const o of ctx.storage.list(`${kind}/${userId}/`)) objects.push(o);
  return objects;
}

type Row = Record<string, unknown>;
const CLIP_FIELDS = ['id', 'project_id', 'prompt', 'status', 'duration_s', 'ratio', 'attempt', 'approved', 'position', 'credits_spent', 'created_at'];
const TAKE_FIELDS = ['kind', 'status', 'prompt', 'motion', 'duration_s', 'credits_spent', 'created_at'];
const pick = (row: Row, fields: string[]) => Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));

/**
 * Clips deleted but still held by the edit log (docs/decisions/0031-edit-log-and-undo.md): their
 * rows live only in the delete's entry and their objects stay until the purge, so they are still
 * the person's data. Listed like the others, marked deleted, with when and whether Undo can still
 * bring them back.
 */
function deletedClips(deletes: Array<{ inverse: unknown; expired: boolean; created_at: Date }>, inZip: (key: string | null) => string | null) {
  return deletes.flatMap((e) => {
    const snapshot = (e.inverse as { restore?: { clip: Row; takes: Row[] } }).restore;
    if (!snapshot) return [];
    const { clip, takes } = snapshot;
    return [{
      ...pick(clip, CLIP_FIELDS),
      deleted: true,
      deleted_at: e.created_at,
      can_be_undone: !e.expired,
      image_file: inZip((clip.image_key as string | null) ?? null),
      video_file: inZip((takes.find((t) => t.id === clip.take_id)?.video_key as string | null) ?? null),
      takes: takes.map((t) => ({ ...pick(t, TAKE_FIELDS), chosen: t.id === clip.take_id, video_file: inZip((t.video_key as string | null) ?? null) })),
    }];
  });
}

/** data.json: profile, projects, clips with prompts (deleted ones the edit log still holds too, marked), ledger, payments, shares, referrals. */
async function dataJson(ctx: AppContext, user: User, files: string[]): Promise<Buffer> {
  const d = await q.dataForExport(ctx.db, user.id);
  const inZip = (key: string | null) => (key && files.includes(key) ? key : null);
  const data = {
    exported_at: new Date().toISOString(),
    profile: { name: user.name, email: user.email, avatar_url: user.avatar_url, referral_code: user.referral_code, credit_balance: user.credit_balance, created_at: user.created_at },
    projects: d.projects.map(({ share_token, shared_at, ...p }) => ({ ...p, shared: Boolean(share_token), shared_at })),
    clips: [
      ...d.clips.map(({ image_key, take_id, ...c }) => ({
        ...c,
        deleted: false,
        image_file: inZip(image_key),
        video_file: inZip(d.takes.find((t) => t.id === take_id)?.video_key ?? null),
        takes: d.takes.filter((t) => t.clip_id === c.id).map(({ id, clip_id, video_key, ...t }) => ({ ...t, chosen: id === take_id, video_file: inZip(video_key) })),
      })),
      ...deletedClips(d.deletes, inZip),
    ],
    exports: d.exports.map(({ object_key, ...e }) => ({ ...e, file: inZip(object_key) })),
    ledger: d.ledger,
    payments: d.payments,
    shares: d.projects.filter((p) => p.share_token).map((p) => ({ project_id: p.id, title: p.title, link: `${ctx.config.publicUrl}/s/${p.share_token}`, shared_at: p.shared_at })),
    // Only when people signed up through the link: who they are is their data, not this person's.
    referrals: { link: `${ctx.config.publicUrl}/r/${user.referral_code}`, signups: d.referred.map((r) => ({ signed_up_at: r.created_at })) },
  };
  return Buffer.from(JSON.stringify(data, null, 2));
}

/**
 * Builds the ZIP as a stream straight into storage: each object is read only when the archive
 * reaches it (addReadStreamLazy), so memory stays flat however large the account is. Media is
 * stored uncompressed (it already is); data.json is deflated. Running it again rebuilds it.
 * Every failure here is ours (storage, database): thrown for BullMQ to try again, the panel saying
 * so meanwhile, and on the last try the panel says plainly that it was ours.
 */
export async function buildAccountExport(ctx: AppContext, exportId: string, lastTry = true): Promise<void> {
  const row = await q.findAccountExport(ctx.db, exportId);
  if (!row || row.status === 'ready') return;
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst();
  if (!user) return;
  await update(ctx, row, { status: 'building', progress: 0 });
  try {
    const objects = await listMedia(ctx, user.id);
    const zip = new yazl.ZipFile();
    const out = zip.outputStream as unknown as PassThrough;
    zip.on('error', (err: Error) => out.destroy(err));
    zip.addBuffer(await dataJson(ctx, user, objects.map((o) => o.key)), 'data.json');
    let done = 0;
    let lastWrite = 0;
    for (const o of objects) {
      zip.addReadStreamLazy(o.key, { compress: false, size: o.size }, (cb) => {
        ctx.storage.get(o.key).then((stream) => {
          stream.once('end', () => {
            done++;
            if (Date.now() - lastWrite < 1000) return;
            lastWrite = Date.now();
            void update(ctx, row, { progress: Math.floor((done / objects.length) * 99) }).catch(() => {});
          });
          cb(null, stream);
        }, (err: Error) => cb(err, undefined as never));
      });
    }
    zip.end();
    const key = downloadKey(user.id, row.id);
    await ctx.storage.put(key, out, 'application/zip');
    const size = (await ctx.storage.size(key)) ?? 0;
    await update(ctx, row, { status: 'ready', progress: 100, object_key: key, size_bytes: size });
  } catch (err) {
    ctx.logger.error({ exportId, err, lastTry }, 'account export failed on our side');
    await update(ctx, row, lastTry ? { status: 'error', error_message: DOWNLOAD_GAVE_UP } : { status: 'queued', progress: 0, error_message: RETRYING_MESSAGE });
    throw err;
  }
}

/** Downloads older than a week go, object and row. */
export async function purgeOldAccountExports(ctx: AppContext): Promise<number> {
  const old = await q.listExpiredAccountExports(ctx.db, new Date(Date.now() - KEEP_EXPORTS_MS));
  for (const e of old) {
    if (e.object_key) await ctx.storage.delete(e.object_key);
    await q.deleteAccountExport(ctx.db, e.id);
  }
  return old.length;
}

export interface DownloadView {
  state: 'none' | 'queued' | 'building' | 'ready' | 'error';
  progress: number;
  polling: boolean;
  url: string | null;
  size: string | null;
  expires: string | null;
  error: string | null;
  /** While queued or building: a failure of ours is being tried again (what to tell the person). */
  retrying: string | null;
  notice: string | null;
}

/**
 * The ZIP holds the whole account, so it is never handed out as a bearer link (a signed URL works
 * for whoever holds it): the page links to a route that streams it to its owner's session only.
 */
export const downloadPath = (exportId: string) => `/account/export/${exportId}/download`;

/** The person's own ready ZIP, as a stream with its size and file name; NotFoundError otherwise. */
export async function openDownload(ctx: AppContext, userId: string, exportId: string) {
  const row = isUuid(exportId) ? await q.findReadyAccountExportForUser(ctx.db, userId, exportId) : undefined;
  if (!row) throw new NotFoundError();
  const body = await ctx.storage.get(row.object_key!).catch(() => {
    throw new NotFoundError();
  });
  return { body, size: row.size_bytes, name: `echoes-data-${row.created_at.toISOString().slice(0, 10)}.zip` };
}

/** The data download's state for the page; a ready one links to the owner-only download route. */
export async function downloadView(ctx: AppContext, userId: string, notice: string | null = null): Promise<DownloadView> {
  const row = await q.latestAccountExport(ctx.db, userId);
  const state = row?.status ?? 'none';
  const ready = row?.status === 'ready' && row.object_key;
  return {
    state,
    progress: row?.progress ?? 0,
    polling: state === 'queued' || state === 'building',
    url: ready ? downloadPath(row.id) : null,
    size: ready && row.size_bytes ? bytes(row.size_bytes) : null,
    expires: ready ? new Date(row.created_at.getTime() + KEEP_EXPORTS_MS).toISOString().slice(0, 10) : null,
    error: row?.status === 'error' ? row.error_message : null,
    retrying: row && (row.status === 'queued' || row.status === 'building') ? row.error_message : null,
    notice,
  };
}
