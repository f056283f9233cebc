import { getBalance } from '../credits/queries.js';
import { InsufficientCreditsError } from '../credits/service.js';
import { enforceRate } from '../limits/rates.js';
import { checkClipCap, roomLeft } from '../limits/quota.js';
import type { AppContext } from '../platform/context.js';
import type { Project } from '../platform/db-types.js';
import { clipCost, type Settings } from '../settings/service.js';

/**
 * Everything that can refuse a new clip before a byte of its image is read or decoded, cheapest
 * first: the balance (against the cheapest length, since the chosen one arrives with the body), the
 * project's clip cap, free storage, then the hourly upload count. The charge itself still happens
 * in createClip's transaction; this only refuses early, in milliseconds.
 */
export async function admitClipUpload(ctx: AppContext, settings: Settings, userId: string, project: Pick<Project, 'id'>): Promise<void> {
  const cheapest = Math.min(...settings.allowedDurations.map((d) => clipCost(settings, d)));
  const balance = await getBalance(ctx.db, userId);
  if (balance < cheapest) throw new InsufficientCreditsError(cheapest, balance);
  await checkClipCap(ctx.db, settings, project.id);
  await roomLeft(ctx.db, settings, userId, 1);
  await enforceRate(ctx, 'image-upload', userId);
}
