import type { AppContext } from '../platform/context.js';
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

/** The project's film as the players show it (the owner's and the public one alike). */
export async function loadFilm(ctx: Pick<AppContext, 'db' | 'storage'>, project: Project): Promise<Film> {
  const clips = await listPlayableClips(ctx.db, project.id);
  const plan = await planForProject(ctx.db, project, clips.map((c) => ({ id: c.id, durationS: c.duration_s })));
  const playlist = await buildPlaylist(ctx.storage, project, clips, plan);
  return { clips, plan, playlist, playlistJson: playlistJson(playlist) };
}
