import { z } from 'zod';
import { RATIOS } from './ratios.js';

const ratioValues = RATIOS.map((r) => r.value) as [string, ...string[]];

/** Generation and reward settings an admin can change; the defaults apply until they do. */
export const settingsSchema = z.object({
  systemPrompt: z.string().max(1000).default('Cinematic, smooth camera motion, consistent lighting.'),
  /** null: follow ACTIVE_AI_PROVIDER / RUNWAY_API_KEY from the environment. */
  provider: z.enum(['runway', 'local']).nullable().default(null),
  model: z.string().min(1).max(40).default('gen4_turbo'),
  defaultRatio: z.enum(ratioValues).default('1280:720'),
  allowedDurations: z.array(z.number().int().min(2).max(10)).min(1).default([5, 10]),
  defaultDuration: z.number().int().min(2).max(10).default(5),
  creditsPer5s: z.number().int().min(1).max(100).default(1),
  generationTimeoutMin: z.number().int().min(1).max(120).default(15),
  referralReward: z.number().int().min(0).max(1000).default(2),
  shareReward: z.number().int().min(0).max(1000).default(1),
  maxRewardedShares: z.number().int().min(0).max(1000).default(3),
  // Abuse limits (docs/decisions/0010-abuse-limits-and-quotas.md): per person, rates per rolling hour.
  storageQuotaMb: z.number().int().min(1).max(1024 * 1024).default(2048),
  maxProjects: z.number().int().min(1).max(10000).default(50),
  maxClipsPerProject: z.number().int().min(1).max(10000).default(100),
  imageUploadsPerHour: z.number().int().min(1).max(100000).default(60),
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

/** Credits a clip of `durationS` seconds costs: the per-5-seconds price, rounded up. */
export function clipCost(settings: Pick<Settings, 'creditsPer5s'>, durationS: number): number {
  return Math.max(1, Math.ceil((durationS / 5) * settings.creditsPer5s));
}
