import { countProjects } from '../limits/queries.js';
import { checkProjectCap, projectCapMessage, storageUse } from '../limits/quota.js';
import { RATIOS } from '../settings/ratios.js';
import { stableUrl } from '../storage/stable-url.js';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Project, User } from '../platform/db-types.js';
import { NotFoundError } from '../platform/errors.js';
import { ago } from '../platform/format.js';
import { getSettings } from '../settings/service.js';
import { freshReads, type Reads } from '../platform/person-reads.js';
import { storageKeys } from '../storage/index.js';
import { ratioLabel, STATUS_LABELS } from './labels.js';
import { refundDeletedAttempt, stopDeletedTasks } from '../generation/service.js';
import { deleteProjectRow, insertProject, lockProjectForDeletion, listProjectSummaries, renameProject, type ProjectSummaryRow } from './queries.js';

type Ctx = AppContext;

// listProjectSummaries' default page: below it, the rows are all the person's projects.
const PROJECT_LIST_LIMIT = 500;

export const RATIO_CHOICES = RATIOS.map((r) => ({ value: r.value, label: r.label }));

/** What one project's card on the dashboard shows (views/projects/_project_card.eta). */
export async function toSummary(ctx: Pick<Ctx, 'storage' | 'config'>, row: ProjectSummaryRow, now: Date) {
  return {
    id: row.id,
    title: row.title,
    ratioLabel: ratioLabel(row.ratio),
    status: STATUS_LABELS[row.status],
    clipCount: row.clip_count,
    approvedCount: row.approved_count,
    pendingCount: row.pending_count,
    shared: Boolean(row.share_token),
    hasMusic: Boolean(row.music_name),
    coverUrl: row.cover_key ? await stableUrl(ctx.storage, row.cover_key, ctx.config.SIGNED_URL_TTL_S) : null,
    changedAt: new Date(row.changed_at).toISOString(),
    changedAgo: ago(row.changed_at, now),
  };
}

export type ProjectSummary = Awaited<ReturnType<typeof toSummary>>;

export async function dashboard(ctx: Ctx, user: User, reads: Reads = freshReads) {
  const settings = await getSettings(ctx.db);
  const rows = await reads.remember(user.id, 'projects', () => listProjectSummaries(ctx.db, user.id));
  const storage = storageUse(settings, user);
  return {
    /** The person's projects, newest first: the dashboard's cards are made from them (card-html.ts). */
    rows,
    ratios: RATIO_CHOICES,
    defaultRatio: settings.defaultRatio,
    storage,
    projectCap: (rows.length < PROJECT_LIST_LIMIT ? rows.length : await countProjects(ctx.db, user.id)) >= settings.maxProjects ? projectCapMessage(settings.maxProjects) : null,
  };
}

/** A new project, unless the person has reached the project cap (counted under their row lock). */
export async function createProject(ctx: Ctx, userId: string, input: { title: string; ratio?: string }) {
  const settings = await getSettings(ctx.db);
  const ratio = input.ratio ?? settings.defaultRatio;
  return withTx(ctx.db, async (tx) => {
    await checkProjectCap(tx, settings, userId);
    return insertProject(tx, { userId, title: input.title, ratio });
  });
}

export async function rename(ctx: Ctx, userId: string, projectId: string, title: string): Promise<Project> {
  const row = await renameProject(ctx.db, userId, projectId, title);
  if (!row) throw new NotFoundError();
  return row;
}

/**
 * Deletes the project as deleting each of its clips would: an unfinished clip is refunded in the
 * same transaction as the row (clips and exports cascade) and its task stopped before the media
 * goes, so a render ending later stores nothing. Then every object under the project's prefixes.
 * The row goes first: media without a row is only garbage, a row without media is broken.
 */
export async function deleteProject(ctx: Ctx, userId: string, projectId: string): Promise<{ title: string }> {
  const { row, unfinished } = await withTx(ctx.db, async (tx) => {
    const locked = await lockProjectForDeletion(tx, userId, projectId);
    if (!locked) throw new NotFoundError();
    for (const clip of locked.unfinished) await refundDeletedAttempt(tx, clip);
    const row = await deleteProjectRow(tx, userId, projectId);
    if (!row) throw new NotFoundError();
    return { row, unfinished: locked.unfinished };
  });
  await stopDeletedTasks(ctx, unfinished);
  const results = await Promise.allSettled(storageKeys.projectPrefixes(userId, projectId).map((p) => ctx.storage.deletePrefix(p)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) ctx.logger.error({ projectId, errors: failed.map((f) => String((f as PromiseRejectedResult).reason)) }, 'project media not fully deleted');
  return { title: row.title };
}
