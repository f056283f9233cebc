import { analysisView } from '../../beats/analysis-panel.js';
import { currentAnalysis } from '../../beats/service.js';
import { loadTimeline } from '../../film/service.js';
import { listClipsForProject } from '../../clips/queries.js';
import { clipCapMessage, storageUse } from '../../limits/quota.js';
import type { AppContext } from '../../platform/context.js';
import type { Project, User } from '../../platform/db-types.js';
import { ago, clock } from '../../platform/format.js';
import { ratioLabel, STATUS_LABELS } from '../../projects/labels.js';
import { hasAnyClip } from '../../projects/queries.js';
import { attemptPrice, getSettings, pricedSettings } from '../../settings/service.js';
import { freshReads, type Reads } from '../../platform/person-reads.js';
import { ratioOrDefault } from '../../settings/ratios.js';
import { countUndoable } from '../../undo/queries.js';

type Ctx = Pick<AppContext, 'db' | 'storage' | 'logger' | 'config'>;

/** Everything the project page shows, as plain data with signed URLs. */
export async function projectPage(ctx: Ctx, user: User, project: Project, reads: Reads = freshReads) {
  const settings = await getSettings(ctx.db);
  const clips = await reads.remember(user.id, `clips:${project.id}`, () => listClipsForProject(ctx.db, user.id, project.id));
  const storage = storageUse(settings, user);
  // The first clip is free only for someone with no clip at all: a project with clips answers that.
  const anyClip = clips.length > 0 || (user.credit_balance > 0 && (await hasAnyClip(ctx.db, user.id)));
  // Read once for the beat panel and the timeline: the row carries every beat and the waveform.
  // Kept with the person's reads too: a page asked again does not read the row again.
  const analysisRow = project.music_key ? await reads.remember(user.id, `analysis:${project.id}:${project.music_key}`, () => currentAnalysis(ctx.db, project)) : undefined;
  const analysis = project.music_key ? analysisView(project, analysisRow) : null;
  const timeline = clips.length > 0 ? await reads.remember(user.id, `timeline:${project.id}`, () => loadTimeline(ctx, project, { analysis: analysisRow })) : null;
  const music = project.music_key
    ? { name: project.music_name ?? 'Music', duration: clock(project.music_duration_s), url: await ctx.storage.signedUrl(project.music_key) }
    : null;
  return {
    project,
    view: {
      id: project.id,
      title: project.title,
      ratioLabel: ratioLabel(project.ratio),
      /** The project's frame as the cards' CSS class (views/photos/_form.eta's stand-in cards). */
      ratioClass: `ratio-${ratioOrDefault(project.ratio, settings.defaultRatio).value.replace(':', 'x')}`,
      status: STATUS_LABELS[project.status],
      shareToken: project.share_token,
      clipCount: clips.length,
      approvedCount: clips.filter((c) => c.approved).length,
      /** The film's length in seconds as the players play it (the timeline's plan; 0: nothing plays yet), and on their clock. */
      filmS: timeline?.totalS ?? 0,
      filmLabel: clock(timeline?.totalS ?? 0),
      // Like the dashboard: the project changes when any of its clips does.
      changedAgo: ago(new Date(Math.max(project.updated_at.getTime(), ...clips.map((c) => c.updated_at.getTime())))),
    },
    /** The clip rows, in order: the page's cards are made from them (src/clips/card-html.ts). */
    clips,
    /** The clips "Animate N clips" would animate (each still a draft), with their prices. */
    drafts: clips.filter((c) => c.status === 'draft').map((c) => ({ id: c.id, cost: attemptPrice(settings, ctx.config, c.duration_s) })),
    music,
    analysis,
    /** The film against the music (src/film/timeline-view.ts), once there is a clip. */
    timeline,
    settings: pricedSettings(settings, ctx.config),
    balance: user.credit_balance,
    firstClipFree: !anyClip && user.credit_balance > 0,
    storage,
    /** How many edits can be undone (the page's Undo button shows while there is one). */
    undoable: await reads.remember(user.id, `undoable:${project.id}`, () => countUndoable(ctx.db, project.id)),
    clipCap: clips.length >= settings.maxClipsPerProject ? clipCapMessage(settings.maxClipsPerProject) : null,
  };
}
