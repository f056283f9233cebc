import type { FastifyInstance, FastifyReply } from 'fastify';
import { flash } from '../platform/view.js';
import { PROVIDER_NAMES, type ProviderName } from '../settings/defaults.js';
import { getSettings } from '../settings/service.js';
import { adminCtx } from './guard.js';
import { parseProvidersForm, providersView, saveProviders, testConnection, type ProviderErrors, type ProvidersForm } from './service/providers.js';

type RenderSettings = (reply: FastifyReply, extra: { providerErrors?: ProviderErrors; providerForm?: ProvidersForm }) => Promise<unknown>;

/**
 * The providers section of /admin/settings: POST /admin/settings/providers saves, in one form, the
 * primary provider and its model, the fallback and its model, providers marked down and prices; POST /admin/settings/providers/:name/test checks one
 * provider's connection (the fragment with htmx, else back to the page).
 */
export function providerRoutes(app: FastifyInstance, renderSettings: RenderSettings) {
  app.post('/settings/providers', async (req, reply) => {
    const settings = await getSettings(app.db);
    const parsed = parseProvidersForm(req.body, settings, app.ctx);
    if ('errors' in parsed) return renderSettings(reply.code(400), { providerErrors: parsed.errors, providerForm: parsed.form });
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
}
