import type { Clip } from '../platform/db-types.js';
import type { Storage } from '../storage/types.js';

/** What a clip card shows: plain data with short-lived signed URLs, never storage keys. */
export interface ClipCard {
  id: string;
  projectId: string;
  status: Clip['status'];
  progressPct: number;
  prompt: string;
  durationS: number;
  approved: boolean;
  position: number;
  attempt: number;
  errorMessage: string | null;
  thumbUrl: string | null;
  imageUrl: string | null;
  videoUrl: string | null;
}

export async function toClipCard(storage: Storage, clip: Clip): Promise<ClipCard> {
  return {
    id: clip.id,
    projectId: clip.project_id,
    status: clip.status,
    progressPct: Math.round(clip.progress * 100),
    prompt: clip.prompt,
    durationS: clip.duration_s,
    approved: clip.approved,
    position: clip.position,
    attempt: clip.attempt,
    errorMessage: clip.error_message,
    thumbUrl: clip.thumb_key ? await storage.signedUrl(clip.thumb_key) : null,
    imageUrl: await storage.signedUrl(clip.image_key),
    videoUrl: clip.video_key && clip.status === 'ready' ? await storage.signedUrl(clip.video_key) : null,
  };
}
