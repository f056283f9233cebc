import type { Project } from '../platform/db-types.js';
import type { Playlist } from '../film/playlist.js';
import type { PlayableClip } from '../film/queries.js';
import { publicLink } from './service.js';
import { count } from '../platform/format.js';
import { posterSize } from './poster.js';

export interface OpenGraph {
  title: string;
  description: string;
  url: string;
  image: string | null;
  imageWidth: number;
  imageHeight: number;
  /** The film as one MP4 (its latest export, through the token), when there is one: og:video, twitter:player:stream. */
  video: string | null;
  /** The player alone, for an iframe (twitter:player): a link that plays inline where platforms allow. */
  player: string | null;
  videoWidth: number;
  videoHeight: number;
}

/**
 * The film's picture for link previews, served through the share token (GET /s/:token/poster), so
 * unsharing ends it at once; a signed media link would outlive the share for as long as it is signed.
 */
export function posterLink(publicUrl: string, token: string): string {
  return `${publicLink(publicUrl, token)}/poster`;
}

export function describeFilm(playlist: Playlist): string {
  const n = playlist.clips.length;
  return n ? `A ${playlist.totalLabel} film in ${count(n, 'clip')}, made with Echoes.` : 'A film made with Echoes.';
}

/** The Open Graph card of a shared film: its title, the first clip's still as the image. */
export function openGraph(publicUrl: string, project: Project, first: PlayableClip | undefined, playlist: Playlist, opts: { exported: boolean }): OpenGraph {
  const link = publicLink(publicUrl, project.share_token!);
  return {
    title: project.title,
    description: describeFilm(playlist),
    url: publicLink(publicUrl, project.share_token!),
    // The still the first clip was animated from, cut to the film's frame (poster.ts); the player's poster too.
    image: first ? posterLink(publicUrl, project.share_token!) : null,
    imageWidth: posterSize(playlist.ratio).width,
    imageHeight: posterSize(playlist.ratio).height,
    video: first && opts.exported ? `${link}/film.mp4` : null,
    player: first ? `${link}/embed` : null,
    videoWidth: playlist.ratio.width,
    videoHeight: playlist.ratio.height,
  };
}
