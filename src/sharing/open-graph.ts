import type { Project } from '../platform/db-types.js';
import type { Playlist } from '../film/playlist.js';
import type { PlayableClip } from '../film/queries.js';
import { publicLink } from './service.js';
import { count } from '../platform/format.js';

export interface OpenGraph {
  title: string;
  description: string;
  url: string;
  image: string | null;
  imageWidth: number;
  imageHeight: number;
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
export function openGraph(publicUrl: string, project: Project, first: PlayableClip | undefined, playlist: Playlist): OpenGraph {
  return {
    title: project.title,
    description: describeFilm(playlist),
    url: publicLink(publicUrl, project.share_token!),
    // The still the first clip was animated from: full frame size (the thumbnail is only 320 px).
    image: first ? posterLink(publicUrl, project.share_token!) : null,
    imageWidth: playlist.ratio.width,
    imageHeight: playlist.ratio.height,
  };
}
