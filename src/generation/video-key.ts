import { storageKeys } from '../storage/index.js';

interface ClipIds {
  id: string;
  user_id: string;
  project_id: string;
}

/**
 * Where an attempt's MP4 is stored: the design's key for the first, a sibling for regenerations,
 * so the previous video stays playable until the new one has replaced it.
 */
export function videoKeyFor(clip: ClipIds, attempt: number): string {
  const key = storageKeys.clip(clip.user_id, clip.project_id, clip.id);
  return attempt === 1 ? key : key.replace(/\.mp4$/, `.v${attempt}.mp4`);
}
