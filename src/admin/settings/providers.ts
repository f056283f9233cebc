import type { AppContext } from '../../platform/context.js';
import type { DB } from '../../platform/db.js';
import { ffmpegPath, run } from '../../platform/ffmpeg.js';
import { LUMA_MODELS, PROVIDER_NAMES, type ProviderName, type Settings } from '../../settings/defaults.js';
import { activeProvider, creditsPer5sFor, fallbackProvider, modelFor, providerConfigured } from '../../settings/service.js';
import { breakerFor } from '../../generation/submit.js';
import { createLumaProvider } from '../../generation/providers/luma.js';
import { runwayRequest } from '../../generation/providers/runway-http.js';
import type { AdminCtx } from '../audit.js';
import { KNOWN_MODELS, updateSettings } from './service.js';

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

export type ProviderErrors = Partial<Record<'provider' | 'primaryModel' | 'fallbackProvider' | 'fallbackModel' | 'providersDown' | 'providerCosts', string>>;
type ProviderValues = Pick<Settings, 'provider' | 'model' | 'lumaModel' | 'fallbackProvider' | 'providersDown' | 'providerCosts'>;
/** The section's form as submitted, to show it again with its errors. */
export type ProvidersForm = { provider: string; primaryModel: string; fallbackProvider: string; fallbackModel: string; providersDown: string[]; costs: Record<string, string>; badCosts: string[] };

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const RUNWAY_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** The form's values for the saved settings (what a GET shows). */
export function providersFormOf(settings: Settings, config: AppContext['config']): ProvidersForm {
  const primary = activeProvider(settings, config);
  const fallback = settings.fallbackProvider;
  return {
    provider: settings.provider ?? '',
    primaryModel: modelFor(settings, primary),
    fallbackProvider: fallback ?? '',
    fallbackModel: fallback ? modelFor(settings, fallback) : '',
    providersDown: [...settings.providersDown],
    costs: Object.fromEntries(Object.entries(settings.providerCosts).map(([k, v]) => [k, String(v)])),
    badCosts: [],
  };
}

/**
 * Whether `model` is one `provider` runs. Runway's list is open (models it adds later can be sent
 * as typed) but never a name that belongs to another provider.
 */
function modelBelongs(provider: ProviderName, model: string): boolean {
  if (provider === 'luma') return (LUMA_MODELS as readonly string[]).includes(model);
  if (provider === 'local') return model === 'ffmpeg-zoompan';
  return RUNWAY_MODEL_NAME.test(model) && !(LUMA_MODELS as readonly string[]).includes(model) && model !== 'ffmpeg-zoompan';
}

function wrongModel(settings: Settings, provider: ProviderName, model: string): string {
  const owner = PROVIDER_NAMES.find((p) => p !== provider && modelsOf(settings, p).includes(model));
  const offered = modelsOf(settings, provider).join(', ');
  if (!model) return `Choose a ${PROVIDER_LABELS[provider]} model (${offered}).`;
  if (owner) return `${model} is a ${PROVIDER_LABELS[owner]} model; ${PROVIDER_LABELS[provider]} runs ${offered}.`;
  return `${PROVIDER_LABELS[provider]} has no model called ${model.slice(0, 40)}; choose one of ${offered}.`;
}

const keyMissing = (name: ProviderName) =>
  `${PROVIDER_LABELS[name]} needs ${name === 'runway' ? 'RUNWAY_API_KEY' : 'LUMA_API_KEY'} in the server’s environment; until it is set it cannot be chosen.`;

/**
 * Reads the section's one form: the primary provider and its model, the fallback and its model,
 * providers marked down, prices per provider and model. Nothing is kept unless all of it is valid.
 */
export function parseProvidersForm(body: unknown, settings: Settings, ctx: AppContext): { values: ProviderValues } | { errors: ProviderErrors; form: ProvidersForm } {
  const b = (body ?? {}) as Record<string, unknown>;
  const { config } = ctx;
  const errors: ProviderErrors = {};
  const form: ProvidersForm = {
    provider: text(b.provider),
    primaryModel: text(b.primaryModel),
    fallbackProvider: text(b.fallbackProvider),
    fallbackModel: text(b.fallbackModel),
    providersDown: [...new Set(list(b.providersDown).map(String))],
    costs: {},
    badCosts: [],
  };
  const isProvider = (v: string): v is ProviderName => (PROVIDER_NAMES as readonly string[]).includes(v);

  // The primary: '' follows ACTIVE_AI_PROVIDER from the environment.
  let primary: ProviderName | null = null;
  let chosen: ProviderName | null = null;
  if (form.provider === '') primary = activeProvider({ ...settings, provider: null }, config);
  else if (!isProvider(form.provider)) errors.provider = 'Choose Runway, Luma, the local provider, or the environment’s choice.';
  else if (!providerConfigured(config, form.provider)) errors.provider = keyMissing(form.provider);
  else primary = chosen = form.provider;
  if (primary && !modelBelongs(primary, form.primaryModel)) errors.primaryModel = wrongModel(settings, primary, form.primaryModel);

  let fallback: ProviderName | null = null;
  if (form.fallbackProvider !== '') {
    if (!isProvider(form.fallbackProvider)) errors.fallbackProvider = 'Choose a listed provider or none.';
    else if (!providerConfigured(config, form.fallbackProvider)) errors.fallbackProvider = `${PROVIDER_LABELS[form.fallbackProvider]} is not configured on this server, so it cannot take over.`;
    else if (form.fallbackProvider === primary) errors.fallbackProvider = `The fallback must differ from the primary provider (${PROVIDER_LABELS[primary]}).`;
    else {
      fallback = form.fallbackProvider;
      if (!modelBelongs(fallback, form.fallbackModel)) errors.fallbackModel = wrongModel(settings, fallback, form.fallbackModel);
    }
  }

  if (!form.providersDown.every(isProvider)) errors.providersDown = 'Choose among the listed providers.';

  const costs: Record<string, number> = {};
  for (const name of PROVIDER_NAMES) {
    for (const model of modelsOf(settings, name)) {
      const raw = b[`cost:${name}:${model}`];
      if (raw === undefined || raw === '') continue;
      form.costs[`${name}:${model}`] = String(raw).slice(0, 10);
      const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 100) {
        errors.providerCosts = 'Credits per 5 seconds must be whole numbers from 1 to 100 (empty: the general price).';
        form.badCosts.push(`${name}:${model}`);
      }
      else if (n !== settings.creditsPer5s) costs[`${name}:${model}`] = n;
    }
  }

  if (Object.keys(errors).length || !primary) return { errors, form };
  // The model lands on its provider's key; a provider in neither role keeps the model it had.
  const models: Pick<Settings, 'model' | 'lumaModel'> = { model: settings.model, lumaModel: settings.lumaModel };
  for (const [role, model] of [[primary, form.primaryModel], [fallback, form.fallbackModel]] as const) {
    if (role === 'runway') models.model = model;
    if (role === 'luma') models.lumaModel = model as Settings['lumaModel'];
  }
  return { values: { provider: chosen, ...models, fallbackProvider: fallback, providersDown: form.providersDown as ProviderName[], providerCosts: costs } };
}

export function saveProviders(db: DB, who: AdminCtx, values: ProviderValues): Promise<boolean> {
  return updateSettings(db, who, values, 'settings.providers');
}
