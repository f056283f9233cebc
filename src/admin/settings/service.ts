import { withTx, type DB } from '../../platform/db.js';
import { parseForm } from '../../platform/forms.js';
import { settingsSchema, type Settings } from '../../settings/defaults.js';
import { getSettings, saveSettings } from '../../settings/service.js';
import { diff, recordAudit, type AdminCtx } from '../audit.js';

/** Runway models offered in the providers form; others are accepted as sent, for models Runway adds later. */
export const KNOWN_MODELS = ['gen4_turbo', 'gen4.5', 'veo3.1'];
export const DURATION_CHOICES = [2, 3, 4, 5, 6, 7, 8, 9, 10];

export type SettingsErrors = Partial<Record<keyof Settings, string>>;

const MESSAGES: Record<keyof Settings, string> = {
  systemPrompt: 'The system prompt can be at most 1000 characters.',
  provider: 'Choose Runway, Luma, the local provider, or the environment’s choice.',
  model: 'Choose a model of the chosen provider.',
  defaultRatio: 'Choose one of the listed ratios.',
  allowedDurations: 'Allow at least one clip length between 2 and 10 seconds.',
  defaultDuration: 'The default length must be one of the allowed lengths.',
  creditsPer5s: 'Credits per 5 seconds must be a whole number from 1 to 100.',
  generationTimeoutMin: 'The timeout must be a whole number of minutes from 1 to 120.',
  referralReward: 'The referral reward must be a whole number from 0 to 1000.',
  shareReward: 'The share reward must be a whole number from 0 to 1000.',
  maxRewardedShares: 'Rewarded shares must be a whole number from 0 to 1000.',
  storageQuotaMb: 'The storage quota must be a whole number of MB from 1 to 1048576.',
  maxProjects: 'Projects per person must be a whole number from 1 to 10000.',
  maxClipsPerProject: 'Clips per project must be a whole number from 1 to 10000.',
  imageUploadsPerHour: 'Image uploads per hour must be a whole number from 1 to 100000.',
  draftsPerHour: 'Free drafts per hour must be a whole number from 1 to 100000.',
  musicUploadsPerHour: 'Music uploads per hour must be a whole number from 1 to 100000.',
  analysisMinutesPerHour: 'Minutes of beat analysis per hour must be a whole number from 1 to 100000.',
  sharesPerHour: 'Shares per hour must be a whole number from 1 to 100000.',
  exportsPerHour: 'Exports per hour must be a whole number from 1 to 100000.',
  signInsPerHourPerEmail: 'Sign-in attempts per account per hour must be a whole number from 1 to 100000.',
  signInsPerHourPerAddress: 'Sign-in attempts per address per hour must be a whole number from 1 to 100000.',
  lumaModel: 'Choose one of the listed Luma models.',
  fallbackProvider: 'Choose a configured provider other than the primary, or none.',
  providersDown: 'Choose among the listed providers.',
  providerCosts: 'Credits per 5 seconds must be whole numbers from 1 to 100.',
};

/** The abuse limits, as the settings form lists them (docs/decisions/0019-abuse-limits-and-quotas.md). */
export const LIMIT_FIELDS: Array<{ key: keyof Settings; label: string; max: number }> = [
  { key: 'storageQuotaMb', label: 'Storage per person (MB)', max: 1024 * 1024 },
  { key: 'maxProjects', label: 'Projects per person', max: 10000 },
  { key: 'maxClipsPerProject', label: 'Clips per project', max: 10000 },
  { key: 'imageUploadsPerHour', label: 'Image uploads per hour', max: 100000 },
  { key: 'draftsPerHour', label: 'Free drafts per hour', max: 100000 },
  { key: 'musicUploadsPerHour', label: 'Music uploads per hour', max: 100000 },
  { key: 'analysisMinutesPerHour', label: 'Minutes of music analysed per hour', max: 100000 },
  { key: 'sharesPerHour', label: 'Shares per hour', max: 100000 },
  { key: 'exportsPerHour', label: 'Exports per hour', max: 100000 },
  { key: 'signInsPerHourPerEmail', label: 'Sign-in attempts per account per hour', max: 100000 },
  { key: 'signInsPerHourPerAddress', label: 'Sign-in attempts per address per hour', max: 100000 },
];

/** Settings kept by the providers section (its own form, one place to switch or fall back), left alone by the main form. */
export const PROVIDER_SECTION_KEYS = ['provider', 'model', 'lumaModel', 'fallbackProvider', 'providersDown', 'providerCosts'] as const;
type MainSettings = Omit<Settings, (typeof PROVIDER_SECTION_KEYS)[number]>;

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]);
const int = (v: unknown): unknown => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads the settings form (strings from the browser) into the settings' types, then checks them. */
export function parseSettingsForm(body: unknown): { values: MainSettings } | { errors: SettingsErrors; raw: Record<string, unknown> } {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = {
    systemPrompt: text(b.systemPrompt).replace(/\r\n/g, '\n').trim(),
    defaultRatio: b.defaultRatio,
    allowedDurations: [...new Set(list(b.allowedDurations).map(int))].sort((x, y) => Number(x) - Number(y)),
    defaultDuration: int(b.defaultDuration),
    creditsPer5s: int(b.creditsPer5s),
    generationTimeoutMin: int(b.generationTimeoutMin),
    referralReward: int(b.referralReward),
    shareReward: int(b.shareReward),
    maxRewardedShares: int(b.maxRewardedShares),
    // A limit missing from the form falls back to its default.
    ...Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, int(b[f.key])])),
  };
  const errors: SettingsErrors = {};
  const parsed = parseForm(settingsSchema, raw);
  if (!parsed.ok) {
    // The page words each field's problem itself (MESSAGES), next to the field.
    for (const path of Object.keys(parsed.errors)) {
      const key = path.split('.')[0] as keyof Settings;
      if (key in MESSAGES) errors[key] ??= MESSAGES[key];
    }
  }
  if (parsed.ok && !parsed.data.allowedDurations.includes(parsed.data.defaultDuration)) errors.defaultDuration = MESSAGES.defaultDuration;
  if (!parsed.ok || Object.keys(errors).length) return { errors, raw };
  const values: Partial<Settings> = { ...parsed.data };
  for (const k of PROVIDER_SECTION_KEYS) delete values[k];
  return { values: values as MainSettings };
}

/**
 * Saves the settings and audits what changed. New generations read settings when they are
 * submitted; running ones carry their provider, model, ratio and duration on the clip row.
 */
export async function updateSettings(db: DB, who: AdminCtx, values: Partial<Settings>, action = 'settings.update'): Promise<boolean> {
  return withTx(db, async (tx) => {
    const before = await getSettings(tx);
    const change = diff(before, values);
    if (!change) return false;
    await saveSettings(tx, change.after);
    await recordAudit(tx, who, { action, target: 'settings', ...change });
    return true;
  });
}
