import { createHash } from 'node:crypto';
import type { Clip, TransitionKind } from '../platform/db-types.js';
import { RETRYING_CODE } from '../platform/job-retry.js';
import { DEFAULT_TRANSITION_S, TRANSITION_LABELS } from '../transitions/kinds.js';
import type { ClipWithTake } from './queries.js';
import { stableUrl } from '../storage/stable-url.js';
import type { Storage } from '../storage/types.js';

/** What a clip card shows: plain data with short-lived signed URLs, never storage keys. */
export interface ClipCard {
  id: string;
  projectId: string;
  status: Clip['status'];
  statusLabel: string;
  /** queued or generating (or its free draft still rendering): the card polls itself. */
  unfinished: boolean;
  /** Only a free draft is asked for, and it is not ready yet. */
  draftPending: boolean;
  progressPct: number;
  prompt: string;
  durationS: number;
  /** CSS class giving the media box the video's shape (no inline styles under the CSP). */
  ratioClass: string;
  approved: boolean;
  position: number;
  attempt: number;
  errorMessage: string | null;
  /** Set while its generation failed on our side and is being tried again automatically: what the person reads. */
  retrying: string | null;
  /** Credits given back when this attempt failed or was cancelled. */
  refunded: number;
  thumbUrl: string | null;
  imageUrl: string | null;
  /** The chosen take's video; during a regeneration, the previous one (the film keeps it until the new take is ready). */
  videoUrl: string | null;
  /** The kind of take the film uses (`draft` or `ai`; null: none ready yet). */
  take: 'draft' | 'ai' | null;
  /** Stable DOM id for the video, so polling swaps keep it playing (hx-preserve). */
  videoDomId: string | null;
  canApprove: boolean;
  /** How many takes the clip has (views/takes/_control.eta). */
  takesCount: number;
  /** Changes whenever the clip's takes list would: an open list reloads when a pushed card carries a new one. */
  takesSig: string;
  /** What regenerating costs, when known. */
  regenerateCost: number | null;
  /** The crop (views/clips/_focus.eta): the whole photo, the frame's shape and its focal point; null while the clip is busy. */
  focus: { sourceUrl: string; x: number; y: number; frameW: number; frameH: number } | null;
  /** The transition into the next clip, as the card's form shows it. */
  transition: { kind: TransitionKind; amount: number | null; unit: 'beats' | 's'; summary: string };
}

function transitionOf(clip: ClipWithTake): ClipCard['transition'] {
  const kind = clip.transition_kind;
  const unit = clip.transition_beats !== null ? 'beats' : 's';
  const amount = clip.transition_beats ?? clip.transition_s;
  const length = kind === 'cut' ? '' : amount === null ? ` ${DEFAULT_TRANSITION_S[kind]} s` : unit === 'beats' ? ` ${amount} ${amount === 1 ? 'beat' : 'beats'}` : ` ${amount} s`;
  return { kind, amount, unit, summary: `${TRANSITION_LABELS[kind]}${length}` };
}

const LABELS: Record<Clip['status'], string> = { draft: 'Draft', queued: 'Queued', generating: 'Generating', ready: 'Ready', error: 'Failed' };

/** urlTtlS: how long the media URLs last (SIGNED_URL_TTL_S). */
export async function toClipCard(storage: Storage, clip: ClipWithTake, opts: { regenerateCost?: number; urlTtlS: number }): Promise<ClipCard> {
  const ttl = opts.urlTtlS;
  // A photo whose free draft is still rendering is unfinished too (nothing to play yet).
  const draftPending = clip.status === 'draft' && !clip.take_kind;
  const unfinished = clip.status === 'queued' || clip.status === 'generating' || draftPending;
  return {
    id: clip.id,
    projectId: clip.project_id,
    status: clip.status,
    statusLabel: LABELS[clip.status],
    unfinished,
    draftPending,
    progressPct: clip.status === 'ready' ? 100 : Math.round(clip.progress * 100),
    prompt: clip.prompt,
    durationS: clip.duration_s,
    ratioClass: `ratio-${clip.ratio.replace(':', 'x')}`,
    approved: clip.approved,
    position: clip.position,
    attempt: clip.attempt,
    errorMessage: clip.status === 'error' ? clip.error_message ?? 'This clip could not be generated.' : null,
    retrying: (clip.status === 'queued' || clip.status === 'generating') && clip.error_code === RETRYING_CODE ? clip.error_message : null,
    refunded: clip.status === 'error' ? clip.credits_spent : 0,
    thumbUrl: clip.thumb_key ? await stableUrl(storage, clip.thumb_key, ttl) : null,
    imageUrl: await stableUrl(storage, clip.image_key, ttl),
    videoUrl: clip.video_key ? await stableUrl(storage, clip.video_key, ttl) : null,
    videoDomId: clip.video_key ? `clip-video-${createHash('sha1').update(clip.video_key).digest('hex').slice(0, 12)}` : null,
    take: clip.take_kind,
    canApprove: clip.status === 'ready' || clip.status === 'draft',
    takesCount: Number.parseInt(clip.takes_tally, 10) || 0,
    takesSig: `${clip.takes_tally}/${clip.status}/${clip.attempt}/${clip.take_id ?? ''}`,
    regenerateCost: opts.regenerateCost ?? null,
    focus: unfinished && !draftPending ? null : {
      sourceUrl: await stableUrl(storage, clip.source_key ?? clip.image_key, ttl),
      x: clip.focus_x,
      y: clip.focus_y,
      frameW: Number(clip.ratio.split(':')[0]) || 16,
      frameH: Number(clip.ratio.split(':')[1]) || 9,
    },
    transition: transitionOf(clip),
  };
}
