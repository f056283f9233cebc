import type { AppContext } from '../platform/context.js';
import type { Conn } from '../platform/db.js';
import type { Project } from '../platform/db-types.js';
import { planForProject } from '../music/analysis-service.js';
import type { CutPlan } from './plan.js';
import { buildPlaylist, playlistJson, type Playlist } from './playlist.js';
import { listPlayableClips, type PlayableClip } from './queries.js';

/** Everything a player page needs: the clips, their cut plan, the playlist and its JSON for the script. */
export interface Film {
  clips: PlayableClip[];
  plan: CutPlan;
  playlist: Playlist;
  playlistJson: string;
}

/** The cut plan of these clips of the project (its beat analysis and cut-on-beat setting): the players' and the export's. */
export function planFilm(db: Conn, project: Project, clips: Array<{ id: string; duration_s: number }>): Promise<CutPlan> {
  return planForProject(db, project, clips.map((c) => ({ id: c.id, durationS: c.duration_s })));
}

/** The project's film as the players show it (the owner's and the public one alike). */
export async function loadFilm(ctx: Pick<AppContext, 'db' | 'storage'>, project: Project): Promise<Film> {
  const clips = await listPlayableClips(ctx.db, project.id);
  const plan = await planFilm(ctx.db, project, clips);
  const playlist = await buildPlaylist(ctx.storage, project, clips, plan);
  return { clips, plan, playlist, playlistJson: playlistJson(playlist) };
}
