import type { Project } from '../platform/db-types.js';
import type { Playlist } from '../film/playlist.js';
import type { PlayableClip } from '../film/queries.js';
import type { Storage } from '../storage/types.js';
import { publicLink } from './service.js';

/**
 * Link previews fetch og:image some time after the page, and cache it; a week is the longest an S3
 * presigned URL may live, and each fetch of the page signs a fresh one.
 */
export const OG_IMAGE_TTL_S = 7 * 24 * 3600;

export interface OpenGraph {
  title: string;
  description: string;
  url: string;
  image: string | null;
  imageWidth: number;
  imageHeight: number;
}

function absolute(publicUrl: string, url: string): string {
  return url.startsWith('/') ? `${publicUrl}${url}` : url;
}

export function describeFilm(playlist: Playlist): string {
  const n = playlist.clips.length;
  return n ? `A ${playlist.totalLabel} film in ${n} clip${n === 1 ? '' : 's'}, made with Echoes.` : 'A film made with Echoes.';
}

/** The Open Graph card of a shared film: its title, the first clip's still as the image. */
export async function openGraph(storage: Storage, publicUrl: string, project: Project, first: PlayableClip | undefined, playlist: Playlist): Promise<OpenGraph> {
  return {
    title: project.title,
    description: describeFilm(playlist),
    url: publicLink(publicUrl, project.share_token!),
    // The still the first clip was animated from: full frame size (the thumbnail is only 320 px).
    image: first ? absolute(publicUrl, await storage.signedUrl(first.image_key, { expiresInS: OG_IMAGE_TTL_S })) : null,
    imageWidth: playlist.ratio.width,
    imageHeight: playlist.ratio.height,
  };
}
