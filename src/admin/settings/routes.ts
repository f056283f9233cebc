import type { FastifyInstance, FastifyReply } from 'fastify';
import { RATIOS } from '../../settings/ratios.js';
import { flash } from '../../platform/view.js';
import { PROVIDER_NAMES, type ProviderName, type Settings } from '../../settings/defaults.js';
import { activeProvider, clipCost, fallbackProvider, getSettings, modelFor, primaryRoute } from '../../settings/service.js';
import { adminCtx } from '../guard.js';
import { parseProvidersForm, PROVIDER_LABELS, providersFormOf, providersView, saveProviders, testConnection, type ProviderErrors, type ProvidersForm } from './providers.js';
import { finalPrompt, PROMPT_LIMIT } from './prompt-preview.js';
import { DURATION_CHOICES, LIMIT_FIELDS, parseSettingsForm, updateSettings, type SettingsErrors } from './service.js';

const SAMPLE_PROMPT = 'A lighthouse on a cliff at dusk, waves crashing below';

type FormValues = Record<keyof Settings, unknown>;

function preview(systemPrompt: unknown, sample: unknown) {
  const samplePrompt = typeof sample === 'string' && sample.trim() ? sample.slice(0, 1000) : SAMPLE_PROMPT;
  const { text, truncated } = finalPrompt(typeof systemPrompt === 'string' ? systemPrompt : '', samplePrompt);
  return { samplePrompt, text, truncated, length: text.length, limit: PROMPT_LIMIT };
}

/** /admin/settings: what new generations use (ratio, lengths, price, limits, rewards); providers have their own form (below). */
export default async function settingsRoutes(app: FastifyInstance) {
  const { config } = app;

  /** The page for `form` (the saved settings when null: what a GET shows). */
  async function renderPage(reply: FastifyReply, given: FormValues | null, extra: { errors?: SettingsErrors; sample?: unknown; providerErrors?: ProviderErrors; providerForm?: ProvidersForm } = {}) {
    const saved = await getSettings(app.db);
    const form: FormValues = given ?? saved;
    const primary = activeProvider(saved, config);
    const fallback = fallbackProvider(saved, config, primary);
    const next = {
      provider: PROVIDER_LABELS[primary],
      model: modelFor(saved, primary),
      fallback: fallback ? `${PROVIDER_LABELS[fallback]} · ${modelFor(saved, fallback)}` : null,
      ratio: RATIOS.find((r) => r.value === saved.defaultRatio)?.label ?? saved.defaultRatio,
      costs: saved.allowedDurations.map((d) => ({ seconds: d, credits: clipCost(saved, d, primaryRoute(saved, config)), isDefault: d === saved.defaultDuration })),
      timeoutMin: saved.generationTimeoutMin,
    };
    return reply.render('admin/settings', {
      title: 'Generation settings · Admin',
      section: 'settings',
      form: { ...form, allowedDurations: (Array.isArray(form.allowedDurations) ? form.allowedDurations : []).map(Number) },
      errors: extra.errors ?? {},
      preview: preview(form.systemPrompt, extra.sample),
      ratios: RATIOS,
      durations: DURATION_CHOICES,
      limitFields: LIMIT_FIELDS,
      envProvider: PROVIDER_LABELS[activeProvider({ ...saved, provider: null }, config)],
      envProviderName: activeProvider({ ...saved, provider: null }, config),
      next,
      providers: await providersView(app.ctx, saved),
      providerForm: extra.providerForm ?? providersFormOf(saved, config),
      providerErrors: extra.providerErrors ?? {},
    });
  }

  app.get('/settings', async (_req, reply) => renderPage(reply, null));

  // The providers section: one form saves the primary provider and its model, the fallback and its
  // model, providers marked down and prices; "test" checks one provider's connection (the fragment
  // with htmx, else back to the page).
  app.post('/settings/providers', async (req, reply) => {
    const settings = await getSettings(app.db);
    const parsed = parseProvidersForm(req.body, settings, app.ctx);
    if ('errors' in parsed) return renderPage(reply.code(400), null, { providerErrors: parsed.errors, providerForm: parsed.form });
    const changed = await saveProviders(app.db, adminCtx(req), parsed.values);
    flash(reply, 'notice', changed ? 'Providers saved. New generations use them from now on.' : 'Nothing changed.');
    return reply.redirect('/admin/settings#providers', 303);
  });

  app.post('/settings/providers/:name/test', async (req, reply) => {
    const name = (req.params as { name: string }).name as ProviderName;
    if (!PROVIDER_NAMES.includes(name)) return reply.code(404).send('Unknown provider');
    const check = await testConnection(app.ctx, name);
    req.log.info({ provider: name, ok: check.ok, ms: check.ms }, 'provider connection tested');
    if (req.isHtmx) {
      const view = await providersView(app.ctx, await getSettings(app.db));
      return reply.render('admin/_provider_check', { p: view.list.find((p) => p.name === name)! });
    }
    flash(reply, check.ok ? 'notice' : 'error', `${name}: ${check.message}`);
    return reply.redirect('/admin/settings#providers', 303);
  });

  app.post('/settings', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseSettingsForm(body);
    if ('errors' in parsed) return renderPage(reply.code(400), parsed.raw as FormValues, { errors: parsed.errors, sample: body.samplePrompt });
    const changed = await updateSettings(app.db, adminCtx(req), parsed.values);
    flash(reply, 'notice', changed ? 'Settings saved. New generations use them from now on, running ones keep theirs.' : 'Nothing changed.');
    return reply.redirect('/admin/settings', 303);
  });

  // The live preview (htmx, as the prompt is typed) and its no-script twin (the Preview button).
  app.post('/settings/preview', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (req.isHtmx) return reply.render('admin/_prompt_preview', { preview: preview(body.systemPrompt, body.samplePrompt) });
    const parsed = parseSettingsForm(body);
    const form = ('values' in parsed ? parsed.values : parsed.raw) as FormValues;
    return renderPage(reply, form, { sample: body.samplePrompt });
  });
}
