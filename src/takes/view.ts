import type { Take, TakeStatus } from '../platform/db-types.js';
import { stableUrl } from '../storage/stable-url.js';
import type { Storage } from '../storage/types.js';

/** One take as the takes list shows it: plain data with a short-lived signed URL, never a storage key. */
export interface TakeView {
  id: string;
  /** Take 1 is the oldest the clip still has. */
  number: number;
  kind: Take['kind'];
  kindLabel: string;
  status: TakeStatus;
  statusLabel: string;
  prompt: string;
  motion: string | null;
  /** The real length of the video when known, else the one asked for. */
  lengthS: number;
  createdAt: Date;
  credits: number;
  /** Credits given back for this take (a failed or cancelled attempt). */
  refunded: number;
  errorMessage: string | null;
  /** For admins only (the creator's list does not show them). */
  provider: string | null;
  model: string | null;
  chosen: boolean;
  videoUrl: string | null;
  canSelect: boolean;
  canDelete: boolean;
  /** Why it cannot be deleted, said on the page rather than by a refused click. */
  keepReason: string | null;
}

const STATUS: Record<TakeStatus, string> = { queued: 'Queued', generating: 'Being made', ready: 'Ready', error: 'Failed' };

export type TakeRow = Take & { refunded: number };

/** The clip's takes (newest first, as listed) for its list; `chosenId` is the take its film uses. */
export async function toTakeViews(storage: Storage, rows: readonly TakeRow[], chosenId: string | null, urlTtlS: number): Promise<TakeView[]> {
  return Promise.all(
    rows.map(async (t, i) => {
      const chosen = t.id === chosenId;
      const unfinished = t.status === 'queued' || t.status === 'generating';
      return {
        id: t.id,
        number: rows.length - i,
        kind: t.kind,
        kindLabel: t.kind === 'draft' ? 'Free draft' : 'AI',
        status: t.status,
        statusLabel: STATUS[t.status],
        prompt: t.prompt,
        motion: t.motion,
        lengthS: Math.round((t.video_duration_s ?? t.duration_s) * 10) / 10,
        createdAt: t.created_at,
        credits: t.credits_spent,
        refunded: t.refunded,
        errorMessage: t.status === 'error' ? t.error_message ?? 'This take could not be made.' : null,
        provider: t.provider,
        model: t.model,
        chosen,
        videoUrl: t.status === 'ready' && t.video_key ? await stableUrl(storage, t.video_key, urlTtlS) : null,
        canSelect: !chosen && t.status === 'ready',
        canDelete: !chosen && !unfinished,
        keepReason: chosen ? 'The film uses this take' : unfinished ? 'Still being made' : null,
      };
    }),
  );
}
