import type { Take, TakeStatus } from '../platform/db-types.js';
import { motionLabel } from '../motion/presets.js';
import { stableUrl } from '../storage/stable-url.js';
import type { Storage } from '../storage/types.js';

/** One take as the takes list shows it: plain data with a short-lived signed URL, never a storage key. */
export interface TakeView {
  id: string;
  /** Take 1 is the oldest the clip still has (null where takes of several clips are listed). */
  number: number | null;
  clipId: string;
  /** The AI attempt it came from (its ledger reference is `<clip>:<attempt>`); null for a draft. */
  attempt: number | null;
  kind: Take['kind'];
  kindLabel: string;
  status: TakeStatus;
  statusLabel: string;
  prompt: string;
  motion: string | null;
  /** The camera motion as people read it ("Push in"), null when none was asked for. */
  motionLabel: string | null;
  /** The real length of the video when known, else the one asked for. */
  lengthS: number;
  createdAt: Date;
  credits: number;
  /** Credits given back for this take (a failed or cancelled attempt). */
  refunded: number;
  errorMessage: string | null;
  errorCode: string | null;
  /** The clip's project, where takes of several clips are listed (the admin user page). */
  projectTitle?: string;
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

/** One take's view; `number` counts the clip's takes from its oldest (null where takes of several clips are listed). */
export function takeView(t: TakeRow, o: { number: number | null; chosen: boolean; videoUrl: string | null }): TakeView {
  const unfinished = t.status === 'queued' || t.status === 'generating';
  return {
    id: t.id,
    number: o.number,
    clipId: t.clip_id,
    attempt: t.attempt,
    kind: t.kind,
    kindLabel: t.kind === 'draft' ? 'Free draft' : 'AI',
    status: t.status,
    statusLabel: STATUS[t.status],
    prompt: t.prompt,
    motion: t.motion,
    motionLabel: t.motion ? motionLabel(t.motion) : null,
    lengthS: Math.round((t.video_duration_s ?? t.duration_s) * 10) / 10,
    createdAt: t.created_at,
    credits: t.credits_spent,
    refunded: t.refunded,
    errorMessage: t.status === 'error' ? t.error_message ?? 'This take could not be made.' : null,
    errorCode: t.error_code,
    provider: t.provider,
    model: t.model,
    chosen: o.chosen,
    videoUrl: o.videoUrl,
    canSelect: !o.chosen && t.status === 'ready',
    canDelete: !o.chosen && !unfinished,
    keepReason: o.chosen ? 'The film uses this take' : unfinished ? 'Still being made' : null,
  };
}

/** The clip's takes (newest first, as listed) for its list; `chosenId` is the take its film uses. */
export async function toTakeViews(storage: Storage, rows: readonly TakeRow[], chosenId: string | null, urlTtlS: number): Promise<TakeView[]> {
  return Promise.all(
    rows.map(async (t, i) =>
      takeView(t, {
        number: rows.length - i,
        chosen: t.id === chosenId,
        videoUrl: t.status === 'ready' && t.video_key ? await stableUrl(storage, t.video_key, urlTtlS) : null,
      }),
    ),
  );
}

/** Each clip's takes for an admin page (no media): newest first, numbered per clip. */
export function takesByClip(rows: readonly TakeRow[], chosenOf: (clipId: string) => string | null): Map<string, TakeView[]> {
  const byClip = new Map<string, TakeRow[]>();
  for (const r of rows) byClip.set(r.clip_id, [...(byClip.get(r.clip_id) ?? []), r]);
  const out = new Map<string, TakeView[]>();
  for (const [clipId, list] of byClip) out.set(clipId, list.map((t, i) => takeView(t, { number: list.length - i, chosen: t.id === chosenOf(clipId), videoUrl: null })));
  return out;
}
