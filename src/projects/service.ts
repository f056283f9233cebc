import { toClipCards } from '../clips/cards.js';
import { loadAnalysisView } from '../music/analysis-view.js';
import { listClipsForProject } from '../clips/queries.js';
import { RATIOS } from '../generation/ratios.js';
import { countProjects } from '../limits/queries.js';
import { checkProjectCap, clipCapMessage, projectCapMessage, storageUse } from '../limits/quota.js';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Project, User } from '../platform/db-types.js';
import { NotFoundError } from '../platform/errors.js';
import { ago, clock } from '../platform/format.js';
import { clipCost, getSettings } from '../settings/service.js';
import { storageKeys } from '../storage/index.js';
import { ratioLabel, STATUS_LABELS } from './present.js';
import { countClipsForUser, deleteProjectRow, insertProject, listProjectSummaries, renameProject, type ProjectSummaryRow } from './queries.js';

type Ctx = Pick<AppContext, 'db' | 'storage' | 'logger' | 'config'>;

// listProjectSummaries' default page: below it, the rows are all the person's projects.
const PROJECT_LIST_LIMIT = 500;

export const RATIO_CHOICES = RATIOS.map((r) => ({ value: r.value, label: r.label }));

async function toSummary(ctx: Ctx, row: ProjectSummaryRow, now: Date) {
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
    coverUrl: row.cover_key ? await ctx.storage.signedUrl(row.cover_key) : null,
    changedAt: new Date(row.changed_at).toISOString(),
    changedAgo: ago(row.changed_at, now),
  };
}

export type ProjectSummary = Awaited<ReturnType<typeof toSummary>>;

export async function dashboard(ctx: Ctx, user: User) {
  const settings = await getSettings(ctx.db);
  const [rows, storage] = await Promise.all([listProjectSummaries(ctx.db, user.id), storageUse(ctx.db, settings, user.id)]);
  const now = new Date();
  return {
    projects: await Promise.all(rows.map((r) => toSummary(ctx, r, now))),
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
 * Deletes the project row (its clips and exports cascade), then every object under its storage
 * prefixes. The row goes first: media without a row is only garbage, a row without media is broken.
 */
export async function deleteProject(ctx: Ctx, userId: string, projectId: string): Promise<{ title: string }> {
  const row = await deleteProjectRow(ctx.db, userId, projectId);
  if (!row) throw new NotFoundError();
  const results = await Promise.allSettled(storageKeys.projectPrefixes(userId, projectId).map((p) => ctx.storage.deletePrefix(p)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) ctx.logger.error({ projectId, errors: failed.map((f) => String((f as PromiseRejectedResult).reason)) }, 'project media not fully deleted');
  return { title: row.title };
}

/** Everything the project page shows, as plain data with signed URLs. */
export async function projectPage(ctx: Ctx, user: User, project: Project) {
  const settings = await getSettings(ctx.db);
  const [clips, userClipCount, storage] = await Promise.all([
    listClipsForProject(ctx.db, user.id, project.id),
    countClipsForUser(ctx.db, user.id),
    storageUse(ctx.db, settings, user.id),
  ]);
  const cards = await toClipCards(ctx.storage, clips, { costFor: (d) => clipCost(settings, d), urlTtlS: ctx.config.SIGNED_URL_TTL_S });
  const analysis = project.music_key ? await loadAnalysisView(ctx.db, project) : null;
  const music = project.music_key
    ? { name: project.music_name ?? 'Music', duration: clock(project.music_duration_s), url: await ctx.storage.signedUrl(project.music_key) }
    : null;
  return {
    project,
    view: {
      id: project.id,
      title: project.title,
      ratioLabel: ratioLabel(project.ratio),
      status: STATUS_LABELS[project.status],
      shareToken: project.share_token,
      clipCount: clips.length,
      approvedCount: clips.filter((c) => c.approved).length,
      // Like the dashboard: the project changes when any of its clips does.
      changedAgo: ago(new Date(Math.max(project.updated_at.getTime(), ...clips.map((c) => c.updated_at.getTime())))),
    },
    cards,
    music,
    analysis,
    settings,
    balance: user.credit_balance,
    firstClipFree: userClipCount === 0 && user.credit_balance > 0,
    storage,
    clipCap: clips.length >= settings.maxClipsPerProject ? clipCapMessage(settings.maxClipsPerProject) : null,
  };
}
