import { z } from 'zod';
import { RATIOS } from './ratios.js';

const ratioValues = RATIOS.map((r) => r.value) as [string, ...string[]];
export const PROVIDER_NAMES = ['runway', 'luma', 'local'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export const LUMA_MODELS = ['ray-2', 'ray-flash-2', 'ray-1-6'] as const;

/** Generation and reward settings an admin can change; the defaults apply until they do. */
export const settingsSchema = z.object({
  systemPrompt: z.string().max(1000).default('Cinematic, smooth camera motion, consistent lighting.'),
  /** null: follow ACTIVE_AI_PROVIDER / RUNWAY_API_KEY from the environment. */
  provider: z.enum(PROVIDER_NAMES).nullable().default(null),
  /** The Runway model (the key keeps its first name). */
  model: z.string().min(1).max(40).default('gen4_turbo'),
  lumaModel: z.enum(LUMA_MODELS).default('ray-2'),
  /** Takes an attempt the primary refuses to start for a reason that is not the creator's. */
  fallbackProvider: z.enum(PROVIDER_NAMES).nullable().default(null),
  /** Providers the admin marked down: new clips skip them (to the fallback) without trying. */
  providersDown: z.array(z.enum(PROVIDER_NAMES)).default([]),
  /** Credits per 5 seconds for one `provider:model`; creditsPer5s where none is set. */
  providerCosts: z.record(z.string().max(60), z.number().int().min(1).max(100)).default({}),
  defaultRatio: z.enum(ratioValues).default('1280:720'),
  allowedDurations: z.array(z.number().int().min(2).max(10)).min(1).default([5, 10]),
  defaultDuration: z.number().int().min(2).max(10).default(5),
  creditsPer5s: z.number().int().min(1).max(100).default(1),
  generationTimeoutMin: z.number().int().min(1).max(120).default(15),
  referralReward: z.number().int().min(0).max(1000).default(2),
  shareReward: z.number().int().min(0).max(1000).default(1),
  maxRewardedShares: z.number().int().min(0).max(1000).default(3),
  // Abuse limits (docs/decisions/0019-abuse-limits-and-quotas.md): per person, rates per rolling hour.
  storageQuotaMb: z.number().int().min(1).max(1024 * 1024).default(2048),
  maxProjects: z.number().int().min(1).max(10000).default(50),
  maxClipsPerProject: z.number().int().min(1).max(10000).default(100),
  imageUploadsPerHour: z.number().int().min(1).max(100000).default(60),
  draftsPerHour: z.number().int().min(1).max(100000).default(120),
  musicUploadsPerHour: z.number().int().min(1).max(100000).default(20),
  analysisMinutesPerHour: z.number().int().min(1).max(100000).default(120),
  sharesPerHour: z.number().int().min(1).max(100000).default(30),
  exportsPerHour: z.number().int().min(1).max(100000).default(10),
  signInsPerHourPerEmail: z.number().int().min(1).max(100000).default(20),
  // Loose: many people can share one address (an office, a mobile carrier's NAT).
  signInsPerHourPerAddress: z.number().int().min(1).max(100000).default(300),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** The model a provider runs for new generations. */
export function modelFor(settings: Pick<Settings, 'model' | 'lumaModel'>, provider: ProviderName): string {
  if (provider === 'runway') return settings.model;
  if (provider === 'luma') return settings.lumaModel;
  return 'ffmpeg-zoompan';
}

/** Credits per 5 seconds on one provider and model (the general price unless the admin set one). */
export function creditsPer5sFor(settings: Pick<Settings, 'creditsPer5s' | 'providerCosts'>, route?: { provider: string; model: string }): number {
  return (route && settings.providerCosts?.[`${route.provider}:${route.model}`]) || settings.creditsPer5s;
}

/**
 * Credits a clip of `durationS` seconds costs: the per-5-seconds price of the provider and model
 * it is meant for, rounded up. A failover never changes what was charged.
 */
export function clipCost(settings: Pick<Settings, 'creditsPer5s'> & Partial<Pick<Settings, 'providerCosts'>>, durationS: number, route?: { provider: string; model: string }): number {
  const per5s = creditsPer5sFor({ providerCosts: {}, ...settings }, route);
  return Math.max(1, Math.ceil((durationS / 5) * per5s));
}
