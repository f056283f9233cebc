import { randomBytes } from 'node:crypto';
import { grantCredits } from '../credits/service.js';
import { withTx, type Conn, type DB } from '../platform/db.js';
import type { Project } from '../platform/db-types.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { findProjectForUser } from '../projects/queries.js';
import { getSettings } from '../settings/service.js';
import * as q from './queries.js';

/** 144 random bits, URL-safe: unguessable, and short enough to paste. */
// Ledger notes hold no creator text: the books outlive the account (kept under an anonymous id).
const SHARE_NOTE = 'Share reward';

export function newShareToken(): string {
  return randomBytes(18).toString('base64url');
}

export function publicLink(publicUrl: string, token: string): string {
  return `${publicUrl}/s/${token}`;
}

export interface ShareResult {
  token: string;
  /** Credits earned by this share (0 when already rewarded, capped, or rewards are off). */
  earned: number;
}

export const NOTHING_TO_SHARE = 'Approve a finished clip first: this film has nothing to watch yet, so there is nothing to share.';

/**
 * Makes the project public. Only a film with something to watch (an approved clip with its video)
 * can be shared; sharing an empty one is refused, so it can never earn the reward either. The
 * first share of a project earns the share reward, while the user has had fewer than
 * `maxRewardedShares`. The user row is locked first, so the count and the grant
 * are exact even when several shares arrive at once; the ledger's (type, reference) uniqueness
 * makes a project earn once, however often it is unshared and shared again.
 */
export async function shareProject(db: DB, userId: string, projectId: string): Promise<ShareResult> {
  return withTx(db, async (tx) => {
    await q.lockUser(tx, userId);
    const project = await findProjectForUser(tx, userId, projectId);
    if (!project) throw new NotFoundError();
    // A film shared before it emptied (clips unapproved or deleted) keeps its link, unrewarded.
    const playable = await q.hasPlayableClip(tx, projectId);
    if (!playable && !project.share_token) throw new ConflictError(NOTHING_TO_SHARE, 'nothing_to_share');
    const token = project.share_token ?? (await q.setShareTokenIfNone(tx, userId, projectId, newShareToken()));
    if (!token) throw new Error('share token was not set');

    const settings = await getSettings(tx);
    let earned = 0;
    if (playable && settings.shareReward > 0 && !(await q.wasShareRewarded(tx, projectId))) {
      const rewarded = await q.countShareRewards(tx, userId);
      if (rewarded < settings.maxRewardedShares) {
        const granted = await grantCredits(tx, userId, settings.shareReward, 'share', projectId, SHARE_NOTE);
        if (granted) earned = settings.shareReward;
      }
    }
    return { token, earned };
  });
}

/** Kills the public link at once; a later share makes a new one (the old link stays dead). */
export async function unshareProject(db: DB, userId: string, projectId: string): Promise<void> {
  const done = await q.clearShareToken(db, userId, projectId);
  if (!done) throw new NotFoundError();
}

export interface ShareRewardInfo {
  reward: number;
  max: number;
  used: number;
  /** The film has an approved clip with its video: it can be shared, and the share can pay. */
  hasClip: boolean;
  /** This project's first share pays the reward once it has an approved clip. */
  eligible: boolean;
  /** Sharing this project now would earn the reward. */
  wouldEarn: boolean;
  earnedHere: boolean;
}

export async function shareRewardInfo(db: Conn, userId: string, project: Project): Promise<ShareRewardInfo> {
  const settings = await getSettings(db);
  const used = await q.countShareRewards(db, userId);
  const earnedHere = await q.wasShareRewarded(db, project.id);
  const hasClip = await q.hasPlayableClip(db, project.id);
  const eligible = settings.shareReward > 0 && !earnedHere && used < settings.maxRewardedShares;
  return { reward: settings.shareReward, max: settings.maxRewardedShares, used, earnedHere, hasClip, eligible, wouldEarn: eligible && hasClip };
}
