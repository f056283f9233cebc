import type { AppContext } from '../platform/context.js';
import type { Conn } from '../platform/db.js';
import type { MusicAnalysis, Project } from '../platform/db-types.js';
import { currentAnalysis } from '../beats/service.js';
import { CROSSFADE_S, planCuts, type CutPlan, type PlanClip } from './plan.js';
import { buildPlaylist, playlistJson, type Playlist, type PlaylistMedia } from './playlist.js';
import { beatLengthS } from '../transitions/kinds.js';
import { listPlayableClips, transitionsOf, transitionSpecOf, type PlayableClip, type TransitionColumns } from './queries.js';
import { timelineView, type TimelineView } from './timeline-view.js';

/** The project's beat analysis when the caller has already read it (none: read where it is needed). */
export type KnownAnalysis = { analysis: MusicAnalysis | undefined };

/** Everything a player page needs: the clips, their cut plan, the playlist and its JSON for the script. */
export interface Film {
  clips: PlayableClip[];
  plan: CutPlan;
  playlist: Playlist;
  playlistJson: string;
}

/** The cut plan of these clips of the project (its beat analysis and cut-on-beat setting): the players' and the export's. */
export async function planFilm(
  db: Conn,
  project: Project,
  clips: Array<{ id: string; duration_s: number; trim_in_s?: number; trim_out_s?: number | null } & Partial<TransitionColumns>>,
  known?: KnownAnalysis,
): Promise<CutPlan> {
  // Each clip's transition, from its row or read here, so every caller's plan has them (the players', the export's, the timeline's).
  const carried = clips.every((c) => c.transition_kind !== undefined);
  const read = carried ? null : await transitionsOf(db, clips.map((c) => c.id));
  const transitionOf = (c: (typeof clips)[number]) => (read ? read.get(c.id) : transitionSpecOf(c as TransitionColumns));
  const planClips = clips.map((c) => ({ id: c.id, durationS: c.duration_s, trimInS: c.trim_in_s, trimOutS: c.trim_out_s, transition: transitionOf(c) }));
  return planForProject(db, project, planClips, CROSSFADE_S, known);
}

/** The project's film as the players show it (the owner's and the public one alike). */
export async function loadFilm(ctx: Pick<AppContext, 'db' | 'storage'>, project: Project, media: PlaylistMedia = {}): Promise<Film> {
  const clips = await listPlayableClips(ctx.db, project.id);
  const plan = await planFilm(ctx.db, project, clips);
  const playlist = await buildPlaylist(ctx.storage, project, clips, plan, media);
  return { clips, plan, playlist, playlistJson: playlistJson(playlist) };
}

type PlanProject = Pick<Project, 'id' | 'music_key' | 'music_duration_s' | 'cut_on_beat' | 'cut_mode'>;

/**
 * The cut plan of a project (see plan.ts): its clips in play order with the lengths both player
 * and export use, its beat analysis and its beat-sync setting. The one call the player, the
 * share page and the export make.
 */
export async function planForProject(db: Conn, project: PlanProject, clips: PlanClip[], crossfadeS = CROSSFADE_S, known?: KnownAnalysis): Promise<CutPlan> {
  const analysis = known ? known.analysis : await currentAnalysis(db, project);
  const ready = analysis?.status === 'ready';
  // A track without a clear beat (or one that could not be analysed) gets even cuts instead.
  const evenCuts = Boolean(project.music_key) && (analysis?.status === 'no_beat' || analysis?.status === 'error');
  const plan = planCuts({
    clips,
    beats: ready ? analysis.beats : [],
    downbeats: ready ? analysis.downbeats : [],
    musicDurationS: analysis?.duration_s ?? project.music_duration_s,
    cutOnBeat: project.cut_on_beat,
    mode: project.cut_mode,
    crossfadeS,
    evenCuts,
  });
  if (project.cut_on_beat && !ready) {
    // planCuts cuts evenly only when there is more than one clip to cut between.
    const how = evenCuts && clips.length > 1 ? 'clips are cut evenly' : 'clips play whole';
    plan.note = !project.music_key
      ? 'No music yet: clips play whole.'
      : analysis?.status === 'no_beat'
        ? `No clear beat in this track: ${how}.`
        : analysis?.status === 'error'
          ? `The track could not be analysed: ${how}.`
          : 'The track is still being analysed: clips play whole for now.';
  }
  return plan;
}

/** How long a beat of the project's music is (null: no analysed beats), for lengths given in beats. */
export async function beatLengthOf(db: Conn, project: Pick<Project, 'id' | 'music_key'>): Promise<number | null> {
  const analysis = await currentAnalysis(db, project);
  return analysis?.status === 'ready' ? beatLengthS(analysis.beats) : null;
}

/** The project page's timeline (views/film/_timeline.eta): the film's plan with the music under it. */
export async function loadTimeline(ctx: Pick<AppContext, 'db' | 'storage'>, project: Project, known?: KnownAnalysis): Promise<TimelineView> {
  // One read of the analysis (it carries every beat and the waveform) for the plan and the view.
  const analysis = known ? known.analysis : await currentAnalysis(ctx.db, project);
  const clips = await listPlayableClips(ctx.db, project.id);
  const plan = await planFilm(ctx.db, project, clips, { analysis });
  const thumbs = await Promise.all(clips.map(async (c) => ({ id: c.id, thumbUrl: c.thumb_key ? await ctx.storage.signedUrl(c.thumb_key) : null, draft: c.take_kind === 'draft' })));
  const musicUrl = project.music_key ? await ctx.storage.signedUrl(project.music_key) : null;
  return timelineView(project, plan, thumbs, analysis, musicUrl);
}
