import type { AppContext } from '../platform/context.js';
import { fromNow } from '../platform/format.js';
import { getSettings } from '../settings/service.js';
import { countProjects, storageUsedBytes } from './queries.js';
import { storageUse, type StorageUse } from './quota.js';
import { limiterFor, RATES, type RateAction } from './rates.js';

export interface LimitsSummary {
  storage: StorageUse;
  projects: { count: number; max: number };
  maxClipsPerProject: number;
  rates: Array<{ action: RateAction; label: string; used: number; max: number; resets: string }>;
}

/** A person's limits and what they have used of them, for /admin/users/:id. */
export async function limitsSummary(ctx: AppContext, user: { id: string; google_sub: string | null }): Promise<LimitsSummary> {
  const settings = await getSettings(ctx.db);
  const limiter = limiterFor(ctx);
  // Per person (the address limit belongs to no one).
  const actions = (Object.keys(RATES) as RateAction[]).filter((a) => a !== 'sign-in-address' && a !== 'sign-in-start');
  const [storage, projectCount, usages] = await Promise.all([
    storageUsedBytes(ctx.db, user.id).then((bytes) => storageUse(settings, { storage_bytes: bytes })),
    countProjects(ctx.db, user.id),
    Promise.all(actions.map((a) => limiter.usage(a, a === 'sign-in-account' ? (user.google_sub ?? '') : user.id))),
  ]);
  return {
    storage,
    projects: { count: projectCount, max: settings.maxProjects },
    maxClipsPerProject: settings.maxClipsPerProject,
    rates: actions.map((a, i) => ({
      action: a,
      label: RATES[a].label,
      used: usages[i]!.used,
      max: settings[RATES[a].setting],
      resets: usages[i]!.resetInS > 0 ? `resets ${fromNow(usages[i]!.resetInS)}` : '',
    })),
  };
}
