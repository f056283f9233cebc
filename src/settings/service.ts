import type { Config } from '../platform/config.js';
import { onCommit, type Conn, type DB, type Tx } from '../platform/db.js';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from './defaults.js';
import { readAllSettings, upsertSetting } from './queries.js';

export { clipCost, DEFAULT_SETTINGS, type Settings } from './defaults.js';

// Settings are read by nearly every request (card polls included), so a process keeps them for a
// few seconds. A save in this process takes effect at once; other processes see it within CACHE_MS.
const CACHE_MS = 5000;
const cache = new WeakMap<DB, { settings: Settings; at: number; version: number }>();
let version = 0;

/** Current settings: stored values over defaults; a stored value that no longer validates is ignored. */
export async function getSettings(db: Conn): Promise<Settings> {
  // Inside a transaction, read what the transaction sees.
  if (db.isTransaction) return readSettings(db);
  const hit = cache.get(db as DB);
  if (hit && hit.version === version && Date.now() - hit.at < CACHE_MS) return hit.settings;
  const seen = version;
  const settings = await readSettings(db);
  cache.set(db as DB, { settings, at: Date.now(), version: seen });
  return settings;
}

async function readSettings(db: Conn): Promise<Settings> {
  const stored = await readAllSettings(db);
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in DEFAULT_SETTINGS)) continue;
    const one = settingsSchema.shape[key as keyof Settings].safeParse(value);
    if (one.success) merged[key] = one.data;
  }
  return Object.freeze(merged) as Settings;
}

export async function saveSettings(db: Conn, changes: Partial<Settings>): Promise<void> {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    await upsertSetting(db, key, value);
  }
  version++;
  // A save inside a transaction counts once it commits (a read in between must not be kept).
  if (db.isTransaction) onCommit(db as Tx, () => version++);
}

/** The provider new generations use: the admin's choice, else the environment's. */
export function activeProvider(settings: Settings, config: Config): 'runway' | 'local' {
  const chosen = settings.provider ?? config.activeProvider;
  return chosen === 'runway' && !config.RUNWAY_API_KEY ? 'local' : chosen;
}
