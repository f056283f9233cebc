import type { Config } from '../platform/config.js';
import type { Conn } from '../platform/db.js';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from './defaults.js';
import { readAllSettings, upsertSetting } from './queries.js';

export { clipCost, DEFAULT_SETTINGS, type Settings } from './defaults.js';

/** Current settings: stored values over defaults; a stored value that no longer validates is ignored. */
export async function getSettings(db: Conn): Promise<Settings> {
  const stored = await readAllSettings(db);
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in DEFAULT_SETTINGS)) continue;
    const one = settingsSchema.shape[key as keyof Settings].safeParse(value);
    if (one.success) merged[key] = one.data;
  }
  return merged as Settings;
}

export async function saveSettings(db: Conn, changes: Partial<Settings>): Promise<void> {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    await upsertSetting(db, key, value);
  }
}

/** The provider new generations use: the admin's choice, else the environment's. */
export function activeProvider(settings: Settings, config: Config): 'runway' | 'local' {
  const chosen = settings.provider ?? config.activeProvider;
  return chosen === 'runway' && !config.RUNWAY_API_KEY ? 'local' : chosen;
}
