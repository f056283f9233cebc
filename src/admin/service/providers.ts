import type { AppContext } from '../../platform/context.js';
import { withTx, type DB } from '../../platform/db.js';
import { ffmpegPath, run } from '../../platform/ffmpeg.js';
import { LUMA_MODELS, PROVIDER_NAMES, settingsSchema, type ProviderName, type Settings } from '../../settings/defaults.js';
import { activeProvider, creditsPer5sFor, fallbackProvider, getSettings, modelFor, providerConfigured, saveSettings } from '../../settings/service.js';
import { breakerFor } from '../../generation/submit.js';
import { createLumaProvider } from '../../generation/providers/luma.js';
import { runwayRequest } from '../../generation/providers/runway-http.js';
import { diff, recordAudit, type AdminCtx } from './audit.js';
import { KNOWN_MODELS } from './settings.js';

// The providers section of /admin/settings: which are configured, their models and prices, the
// fallback, providers marked down, and a "test connection" check whose last result is kept in Redis.

export const PROVIDER_LABELS: Record<ProviderName, string> = { runway: 'Runway', luma: 'Luma Dream Machine', local: 'Local (ffmpeg)' };
const CHECK_TTL_S = 7 * 24 * 3600;

export interface ConnectionCheck {
  ok: boolean;
  message: string;
  at: string;
  ms: number;
}

const checkKey = (ctx: AppContext, name: string) => `${ctx.config.QUEUE_PREFIX}:provider-check:${name}`;

/** Models a provider offers in the form (Runway's own model may be one typed by the admin). */
export function modelsOf(settings: Settings, name: ProviderName): string[] {
  if (name === 'runway') return [...new Set([settings.model, ...KNOWN_MODELS])];
  if (name === 'luma') return [...LUMA_MODELS];
  return ['ffmpeg-zoompan'];
}

/** One cheap authenticated call per provider: Runway GET /v1/organization, Luma GET /generations?limit=1. */
export async function testConnection(ctx: AppContext, name: ProviderName): Promise<ConnectionCheck> {
  const started = Date.now();
  let ok = true;
  let message = 'Connected';
  try {
    const { config } = ctx;
    if (!providerConfigured(config, name)) throw new Error(`${name === 'runway' ? 'RUNWAY_API_KEY' : 'LUMA_API_KEY'} is not set on this server`);
    if (name === 'runway') {
      const res = await runwayRequest({ baseUrl: config.RUNWAY_API_URL, apiKey: config.RUNWAY_API_KEY!, maxRetries: 0, timeoutMs: 10_000 }, 'GET', '/v1/organization');
      const credits = (res.body as { creditBalance?: unknown } | null)?.creditBalance;
      if (typeof credits === 'number') message = `Connected · ${credits} Runway credits left`;
    } else if (name === 'luma') {
      await createLumaProvider({ baseUrl: config.LUMA_API_URL, apiKey: config.LUMA_API_KEY!, pollIntervalMs: 0, storage: ctx.storage, logger: ctx.logger, publicUrl: config.publicUrl }).check();
    } else {
      const res = await run(ffmpegPath(config.FFMPEG_PATH), ['-hide_banner', '-version']);
      if (res.code !== 0) throw new Error('ffmpeg did not run');
      message = 'ffmpeg runs';
    }
  } catch (err) {
    ok = false;
    message = (err as Error).message.slice(0, 300);
  }
  const check: ConnectionCheck = { ok, message, at: new Date().toISOString(), ms: Date.now() - started };
  await ctx.redis.set(checkKey(ctx, name), JSON.stringify(check), 'EX', CHECK_TTL_S).catch(() => {});
  return check;
}

async function lastCheck(ctx: AppContext, name: string): Promise<ConnectionCheck | null> {
  const raw = await ctx.redis.get(checkKey(ctx, name)).catch(() => null);
  return raw ? (JSON.parse(raw) as ConnectionCheck) : null;
}

/** What the section shows, as plain data. */
export async function providersView(ctx: AppContext, settings: Settings) {
  const primary = activeProvider(settings, ctx.config);
  const fallback = fallbackProvider(settings, ctx.config, primary);
  const breaker = breakerFor(ctx);
  return {
    primary,
    fallback,
    fallbackChoice: settings.fallbackProvider,
    list: await Promise.all(
      PROVIDER_NAMES.map(async (name) => ({
        name,
        label: PROVIDER_LABELS[name],
        configured: providerConfigured(ctx.config, name),
        keySetting: name === 'runway' ? 'RUNWAY_API_KEY' : name === 'luma' ? 'LUMA_API_KEY' : null,
        model: modelFor(settings, name),
        models: modelsOf(settings, name).map((model) => ({ model, per5s: creditsPer5sFor(settings, { provider: name, model }), custom: Boolean(settings.providerCosts[`${name}:${model}`]) })),
        isPrimary: name === primary,
        isFallback: name === fallback,
        down: settings.providersDown.includes(name),
        breakerOpen: await breaker.isOpen(name).catch(() => false),
        check: await lastCheck(ctx, name),
      })),
    ),
  };
}

export type ProviderErrors = Partial<Record<'fallbackProvider' | 'lumaModel' | 'providersDown' | 'providerCosts', string>>;
type ProviderValues = Pick<Settings, 'fallbackProvider' | 'lumaModel' | 'providersDown' | 'providerCosts'>;

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]);

/** Reads the section's form: fallback, Luma model, providers marked down, prices per provider and model. */
export function parseProvidersForm(body: unknown, settings: Settings, ctx: AppContext): { values: ProviderValues } | { errors: ProviderErrors } {
  const b = (body ?? {}) as Record<string, unknown>;
  const errors: ProviderErrors = {};
  const fallback = b.fallbackProvider === '' || b.fallbackProvider === undefined ? null : b.fallbackProvider;
  const costs: Record<string, number> = {};
  for (const name of PROVIDER_NAMES) {
    for (const model of modelsOf(settings, name)) {
      const raw = b[`cost:${name}:${model}`];
      if (raw === undefined || raw === '') continue;
      const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 100) errors.providerCosts = 'Credits per 5 seconds must be whole numbers from 1 to 100 (empty: the general price).';
      else if (n !== settings.creditsPer5s) costs[`${name}:${model}`] = n;
    }
  }
  const parsed = settingsSchema.pick({ fallbackProvider: true, lumaModel: true, providersDown: true }).safeParse({ fallbackProvider: fallback, lumaModel: b.lumaModel, providersDown: [...new Set(list(b.providersDown))] });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as keyof ProviderErrors;
      errors[key] ??= key === 'lumaModel' ? 'Choose one of the listed Luma models.' : key === 'providersDown' ? 'Choose among the listed providers.' : 'Choose a listed provider or none.';
    }
  }
  if (parsed.success && parsed.data.fallbackProvider) {
    const f = parsed.data.fallbackProvider;
    if (!providerConfigured(ctx.config, f)) errors.fallbackProvider = `${PROVIDER_LABELS[f]} is not configured on this server, so it cannot take over.`;
    else if (f === activeProvider(settings, ctx.config)) errors.fallbackProvider = 'The fallback must differ from the primary provider.';
  }
  if (!parsed.success || Object.keys(errors).length) return { errors };
  return { values: { ...parsed.data, providerCosts: costs } };
}

export async function saveProviders(db: DB, who: AdminCtx, values: ProviderValues): Promise<boolean> {
  return withTx(db, async (tx) => {
    const before = await getSettings(tx);
    const change = diff(before, values);
    if (!change) return false;
    await saveSettings(tx, change.after);
    await recordAudit(tx, who, { action: 'settings.providers', target: 'settings', ...change });
    return true;
  });
}
