import type { Project, TransitionKind } from '../platform/db-types.js';
import { clock } from '../platform/format.js';
import { ratioOrDefault } from '../settings/ratios.js';
import type { SignOptions, Storage } from '../storage/types.js';
import type { CutPlan } from './plan.js';
import type { PlayableClip } from './queries.js';
import { musicFadeOut } from './timeline.js';

export interface PlaylistClip {
  id: string;
  index: number;
  url: string;
  thumbUrl: string | null;
  /** When the clip appears on the film's timeline (its fade-in begins): the cut plan's. */
  startS: number;
  /** Where in its video the clip is shown from (its trim): the cut plan's. */
  inS: number;
  /** How much of the clip is shown, fades included: the cut plan's. */
  outS: number;
  startLabel: string;
  durationLabel: string;
  /** The clip plays its free draft (a slow pan and zoom), not an AI take: marked as such. */
  draft: boolean;
  /** The transition from the clip before into this one (the first clip's is a cut of 0): the cut plan's. */
  transitionIn: { kind: TransitionKind; s: number };
}

export interface Playlist {
  title: string;
  ratio: { value: string; width: number; height: number };
  clips: PlaylistClip[];
  /** How many clips play a free draft: a film with drafts says so. */
  drafts: number;
  music: { url: string; name: string; durationS: number | null } | null;
  totalS: number;
  totalLabel: string;
  crossfadeS: number;
  /** The music fades out over the film's last `musicFadeOutS` seconds. */
  musicFadeOutS: number;
  /** Where the player fetches fresh media URLs, and how often (short-lived URLs: the public player's); null: no renewal. */
  renew: PlaylistRenewal | null;
}

/** How a player keeps short-lived media URLs fresh: GET `url` every `everyS` seconds for this playlist again. */
export interface PlaylistRenewal {
  url: string;
  everyS: number;
}

/** How a playlist's media URLs are signed, and renewed (the public player's are short-lived and scoped to the share). */
export interface PlaylistMedia {
  sign?: Pick<SignOptions, 'expiresInS' | 'scope'>;
  renew?: PlaylistRenewal;
}

/**
 * The film as plain data for the page and the player script: the cut plan's start and out points
 * as they are (never re-derived from clip lengths), and signed, short-lived media URLs only (never
 * storage keys, never prompts). `rows` are the clips the plan was made from, in its order.
 */
export async function buildPlaylist(storage: Storage, project: Project, rows: PlayableClip[], plan: CutPlan, media: PlaylistMedia = {}): Promise<Playlist> {
  const sign = media.sign ?? {};
  const ratio = ratioOrDefault(project.ratio, '1280:720');
  const clips: PlaylistClip[] = [];
  for (const [index, row] of rows.entries()) {
    const seg = plan.segments[index]!;
    clips.push({
      id: row.id,
      index,
      url: await storage.signedUrl(row.video_key!, sign),
      thumbUrl: row.thumb_key ? await storage.signedUrl(row.thumb_key, sign) : null,
      startS: seg.startS,
      inS: seg.inS,
      outS: seg.outS,
      startLabel: clock(seg.startS),
      durationLabel: clock(seg.outS),
      draft: row.take_kind === 'draft',
      transitionIn: index > 0 ? plan.segments[index - 1]!.transition ?? { kind: 'crossfade', s: plan.crossfadeS } : { kind: 'cut', s: 0 },
    });
  }
  const music = project.music_key
    ? { url: await storage.signedUrl(project.music_key, sign), name: project.music_name ?? 'Music', durationS: project.music_duration_s }
    : null;
  return {
    title: project.title,
    ratio: { value: ratio.value, width: ratio.width, height: ratio.height },
    clips,
    drafts: clips.filter((c) => c.draft).length,
    music,
    totalS: plan.totalS,
    totalLabel: clock(plan.totalS),
    crossfadeS: plan.crossfadeS,
    musicFadeOutS: musicFadeOut(plan.totalS).durationS,
    renew: media.renew ?? null,
  };
}

/** What public/js/player reads (its PlaylistData type): the timeline as computed here, nothing to re-derive. */
export function playlistData(p: Playlist) {
  return {
    title: p.title,
    ratio: p.ratio,
    crossfadeS: p.crossfadeS,
    musicFadeOutS: p.musicFadeOutS,
    totalS: p.totalS,
    music: p.music,
    // `draft` only when it is one: the player marks the picture while a draft plays.
    clips: p.clips.map((c) => ({ id: c.id, url: c.url, thumbUrl: c.thumbUrl, startS: c.startS, inS: c.inS, outS: c.outS, transitionIn: c.transitionIn, ...(c.draft ? { draft: true } : {}) })),
    renew: p.renew,
  };
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the tag. */
export function playlistJson(p: Playlist): string {
  return JSON.stringify(playlistData(p)).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
