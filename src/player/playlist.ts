import type { Project } from '../platform/db-types.js';
import { ratioOrDefault } from '../settings/ratios.js';
import type { Storage } from '../storage/types.js';
import type { PlayableClip } from './queries.js';
import { CROSSFADE_S, type CutPlan } from '../music/plan.js';

/** Seconds each clip overlaps the next: the cut plan's crossfade (player.css uses the same 300 ms). */
export { CROSSFADE_S };

export interface PlaylistClip {
  id: string;
  index: number;
  url: string;
  thumbUrl: string | null;
  durationS: number;
  startS: number;
  startLabel: string;
  durationLabel: string;
}

export interface Playlist {
  title: string;
  ratio: { value: string; width: number; height: number };
  clips: PlaylistClip[];
  music: { url: string; name: string; durationS: number | null } | null;
  totalS: number;
  totalLabel: string;
  crossfadeS: number;
}

/** m:ss, rounded down like the player's own clock (public/js/player.js), so both agree. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 0.001));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The film as plain data for the page and player.js: signed, short-lived media URLs only (never
 * storage keys, never prompts). Start times account for the crossfade overlap between clips.
 */
export async function buildPlaylist(storage: Storage, project: Project, rows: PlayableClip[], plan?: CutPlan): Promise<Playlist> {
  const ratio = ratioOrDefault(project.ratio, '1280:720');
  let start = 0;
  const clips: PlaylistClip[] = [];
  for (const [index, row] of rows.entries()) {
    // The cut plan (beat sync) may show less of a clip than its full length, never more.
    const shownS = plan?.segments[index]?.outS ?? row.duration_s;
    const clip: PlaylistClip = {
      id: row.id,
      index,
      url: await storage.signedUrl(row.video_key!),
      thumbUrl: row.thumb_key ? await storage.signedUrl(row.thumb_key) : null,
      durationS: shownS,
      startS: start,
      startLabel: formatClock(start),
      durationLabel: formatClock(shownS),
    };
    clips.push(clip);
    start += shownS - (index < rows.length - 1 ? CROSSFADE_S : 0);
  }
  const music = project.music_key
    ? { url: await storage.signedUrl(project.music_key), name: project.music_name ?? 'Music', durationS: project.music_duration_s }
    : null;
  return {
    title: project.title,
    ratio: { value: ratio.value, width: ratio.width, height: ratio.height },
    clips,
    music,
    totalS: start,
    totalLabel: formatClock(start),
    crossfadeS: CROSSFADE_S,
  };
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the tag. */
export function playlistJson(p: Playlist): string {
  const data = {
    title: p.title,
    ratio: p.ratio,
    crossfadeS: p.crossfadeS,
    music: p.music,
    clips: p.clips.map((c) => ({ id: c.id, url: c.url, thumbUrl: c.thumbUrl, durationS: c.durationS })),
  };
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
