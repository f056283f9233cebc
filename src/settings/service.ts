import type { Config } from '../platform/config.js';
import { onCommit, type Conn, type DB, type Tx } from '../platform/db.js';
import { clipCost, creditsPer5sFor, DEFAULT_SETTINGS, modelFor, settingsSchema, type ProviderName, type Settings } from './defaults.js';
import { readAllSettings, upsertSetting } from './queries.js';

export { clipCost, creditsPer5sFor, DEFAULT_SETTINGS, modelFor, type ProviderName, type Settings } from './defaults.js';

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
  if (db.isTransaction) onCommit(db as Tx, () => void version++);
}

/** Whether this process has what a provider needs (its key); local always does. */
export function providerConfigured(config: Config, name: ProviderName): boolean {
  if (name === 'runway') return Boolean(config.RUNWAY_API_KEY);
  if (name === 'luma') return Boolean(config.LUMA_API_KEY);
  return true;
}

/** The provider new generations use: the admin's choice, else the environment's. */
export function activeProvider(settings: Settings, config: Config): ProviderName {
  const chosen = settings.provider ?? config.activeProvider;
  return providerConfigured(config, chosen) ? chosen : 'local';
}

/** The provider and model new clips are meant for, and priced by (a failover keeps the price). */
export function primaryRoute(settings: Settings, config: Config): { provider: ProviderName; model: string } {
  const provider = activeProvider(settings, config);
  return { provider, model: modelFor(settings, provider) };
}

/**
 * What the next attempt of a clip this long costs: the one price charging uses (src/clips/create-and-regenerate.ts)
 * and every card and form shows (the page, GET /clips/:id, the live stream, the direction form), on
 * today's primary route, or on `route` when the attempt goes elsewhere (a take ending on a photo).
 */
export function attemptPrice(settings: Settings, config: Config, durationS: number, route = primaryRoute(settings, config)): number {
  return clipCost(settings, durationS, route);
}

/** Settings as a creator's page prices them: the general price replaced by the primary's. */
export function pricedSettings(settings: Settings, config: Config): Settings {
  return Object.freeze({ ...settings, creditsPer5s: creditsPer5sFor(settings, primaryRoute(settings, config)) });
}

/** The admin's fallback, when it is configured and differs from the primary. */
export function fallbackProvider(settings: Settings, config: Config, primary: string): ProviderName | null {
  const f = settings.fallbackProvider;
  return f && f !== primary && providerConfigured(config, f) ? f : null;
}
