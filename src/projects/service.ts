import { toClipCards } from '../clips/cards.js';
import { loadAnalysisView } from '../music/analysis-view.js';
import { listClipsForProject } from '../clips/queries.js';
import { RATIOS } from '../generation/ratios.js';
import type { AppContext } from '../platform/context.js';
import type { Project, User } from '../platform/db-types.js';
import { NotFoundError } from '../platform/errors.js';
import { clipCost, getSettings, pricedSettings, primaryRoute } from '../settings/service.js';
import { storageKeys } from '../storage/index.js';
import { durationLabel, ratioLabel, STATUS_LABELS, timeAgo } from './present.js';
import { countClipsForUser, deleteProjectRow, insertProject, listProjectSummaries, renameProject, type ProjectSummaryRow } from './queries.js';

type Ctx = Pick<AppContext, 'db' | 'storage' | 'logger' | 'config'>;

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
    changedAgo: timeAgo(new Date(row.changed_at), now),
  };
}

export type ProjectSummary = Awaited<ReturnType<typeof toSummary>>;

export async function dashboard(ctx: Ctx, user: User) {
  const [rows, settings] = await Promise.all([listProjectSummaries(ctx.db, user.id), getSettings(ctx.db)]);
  const now = new Date();
  return {
    projects: await Promise.all(rows.map((r) => toSummary(ctx, r, now))),
    ratios: RATIO_CHOICES,
    defaultRatio: settings.defaultRatio,
  };
}

export async function createProject(ctx: Ctx, userId: string, input: { title: string; ratio?: string }) {
  const ratio = input.ratio ?? (await getSettings(ctx.db)).defaultRatio;
  return insertProject(ctx.db, { userId, title: input.title, ratio });
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
  const [clips, settings, userClipCount] = await Promise.all([
    listClipsForProject(ctx.db, user.id, project.id),
    getSettings(ctx.db),
    countClipsForUser(ctx.db, user.id),
  ]);
  const route = primaryRoute(settings, ctx.config);
  const cards = await toClipCards(ctx.storage, clips, { costFor: (d) => clipCost(settings, d, route), urlTtlS: ctx.config.SIGNED_URL_TTL_S });
  const analysis = project.music_key ? await loadAnalysisView(ctx.db, project) : null;
  const music = project.music_key
    ? { name: project.music_name ?? 'Music', duration: durationLabel(project.music_duration_s), url: await ctx.storage.signedUrl(project.music_key) }
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
      changedAgo: timeAgo(new Date(Math.max(project.updated_at.getTime(), ...clips.map((c) => c.updated_at.getTime())))),
    },
    cards,
    music,
    analysis,
    settings: pricedSettings(settings, ctx.config),
    balance: user.credit_balance,
    firstClipFree: userClipCount === 0 && user.credit_balance > 0,
  };
}
