import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSettings, saveSettings } from '../../src/settings/service.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows } from '../factories/admin.js';
import { balanceOf, latestClip, uploadClip, waitForClipDone } from '../factories/clips.js';
import type { TestBrowser } from '../setup/browser.js';
import { creator } from '../generation/world.js';
import { startProvidersWorld, type ProvidersWorld } from '../generation/luma-world.js';
import { decoded } from '../setup/html.js';

let w: ProvidersWorld;
let admin: TestBrowser;
beforeAll(async () => {
  w = await startProvidersWorld({ ADMIN_PASSWORD, ACTIVE_AI_PROVIDER: 'runway' });
  admin = await adminBrowser(w.t.app);
});
afterAll(async () => {
  await w?.close();
});

/** The providers form as the page submits it. */
async function saveProviders(form: Record<string, string>) {
  return admin.post('/admin/settings/providers', { fallbackProvider: '', fallbackModel: '', ...form });
}

describe('admin: providers and failover', () => {
  it('lists every provider with its models, whether its key is set, and its role', async () => {
    const res = await admin.get('/admin/settings');
    expect(res.statusCode).toBe(200);
    for (const name of ['runway', 'luma', 'local']) expect(res.body).toContain(`data-provider="${name}"`);
    expect(res.body).toContain('RUNWAY_API_KEY set');
    expect(res.body).toContain('LUMA_API_KEY set');
    for (const model of ['gen4_turbo', 'ray-2', 'ray-flash-2']) expect(res.body).toContain(model);
    expect(res.body).toContain('Not tested yet.');
  });

  it('tests a connection with one cheap authenticated call and shows the result and its time', async () => {
    const runway = await admin.post('/admin/settings/providers/runway/test', {}, { 'hx-request': 'true' });
    expect(runway.statusCode).toBe(200);
    expect(runway.body).toContain('data-check-ok="true"');
    expect(runway.body).toMatch(/tested <time datetime="\d{4}-/);
    expect(w.runway.requests.some((r) => r.method === 'GET' && r.path === '/v1/organization' && r.status === 200)).toBe(true);

    const luma = await admin.post('/admin/settings/providers/luma/test', {}, { 'hx-request': 'true' });
    expect(luma.body).toContain('data-check-ok="true"');
    expect(w.luma.requests.some((r) => r.method === 'GET' && r.path === '/generations' && r.status === 200)).toBe(true);

    w.luma.failNext('list', { status: 401, detail: 'Invalid API key' });
    const failed = await admin.post('/admin/settings/providers/luma/test', {});
    expect(failed.statusCode).toBe(303);
    const page = await admin.get('/admin/settings');
    expect(page.body).toMatch(/data-provider-check="luma" data-check-ok="false"/);
    expect(page.body).toContain('Invalid API key');
    expect((await admin.post('/admin/settings/providers/nope/test', {})).statusCode).toBe(404);
  });

  it('saves the primary and its model, the fallback and its model, providers marked down and prices in one form, audited', async () => {
    const res = await saveProviders({ provider: 'runway', primaryModel: 'gen4.5', fallbackProvider: 'luma', fallbackModel: 'ray-flash-2', 'cost:luma:ray-flash-2': '3', providersDown: '' });
    expect(res.statusCode).toBe(303);
    const s = await getSettings(w.t.ctx.db);
    expect(s).toMatchObject({ provider: 'runway', model: 'gen4.5', fallbackProvider: 'luma', lumaModel: 'ray-flash-2', providersDown: [], providerCosts: { 'luma:ray-flash-2': 3 } });
    const [audit] = await auditRows(w.t.ctx.db, 'settings.providers');
    expect(audit!.before).toEqual({ provider: null, model: 'gen4_turbo', fallbackProvider: null, lumaModel: 'ray-2', providerCosts: {} });
    expect(audit!.after).toEqual({ provider: 'runway', model: 'gen4.5', fallbackProvider: 'luma', lumaModel: 'ray-flash-2', providerCosts: { 'luma:ray-flash-2': 3 } });

    const page = await admin.get('/admin/settings');
    expect(decoded(page.body)).toMatch(/<dt>Fallback<\/dt><dd>Luma Dream Machine · ray-flash-2<\/dd>/);
    expect(page.body).toContain('name="cost:luma:ray-flash-2" min="1" max="100" step="1" inputmode="numeric" value="3"');

    // The fallback set in that submit takes over: Runway refuses every create, Luma makes the clip.
    w.startWorkers();
    try {
      w.runway.failNext('submit', { status: 503 }, 20);
      const { project, b } = await creator(w.t, 5);
      await uploadClip(b, project.id, { duration: 5 });
      const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
      expect([clip.status, clip.provider, clip.model]).toEqual(['ready', 'luma', 'ray-flash-2']);
    } finally {
      await w.stopWorkers();
      w.runway.clearFailures();
      const keys = await w.t.ctx.redis.keys(`${w.t.ctx.config.QUEUE_PREFIX}:breaker:*`);
      if (keys.length) await w.t.ctx.redis.del(...keys);
    }
  });

  it('switching the primary to Luma in that form sends the next clip to Luma', async () => {
    const res = await saveProviders({ provider: 'luma', primaryModel: 'ray-2', fallbackProvider: 'runway', fallbackModel: 'gen4_turbo' });
    expect(res.statusCode).toBe(303);
    expect(await getSettings(w.t.ctx.db)).toMatchObject({ provider: 'luma', lumaModel: 'ray-2', fallbackProvider: 'runway', model: 'gen4_turbo' });
    const page = await admin.get('/admin/settings');
    expect(decoded(page.body)).toMatch(/<dt>Provider<\/dt><dd>Luma Dream Machine · ray-2<\/dd>/);

    w.startWorkers();
    try {
      const runwayBefore = w.runway.submissions.length;
      const { project, b } = await creator(w.t, 5);
      await uploadClip(b, project.id, { duration: 5 });
      const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
      expect([clip.status, clip.provider, clip.model]).toEqual(['ready', 'luma', 'ray-2']);
      expect(w.luma.generations.filter((g) => g.id === clip.provider_task_id)).toHaveLength(1);
      expect(w.runway.submissions.length).toBe(runwayBefore);
    } finally {
      await w.stopWorkers();
    }
  });

  it('refuses a fallback equal to the primary, and a model of another provider, with a message by the field; nothing saved', async () => {
    const before = await getSettings(w.t.ctx.db);
    const count = (await auditRows(w.t.ctx.db, 'settings.providers')).length;
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ provider: 'luma', primaryModel: 'ray-2', fallbackProvider: 'luma', fallbackModel: 'ray-flash-2' }, 'fallbackProvider', 'The fallback must differ from the primary provider (Luma Dream Machine).'],
      // The environment's choice (Runway here) counts as the primary too.
      [{ provider: '', primaryModel: 'gen4_turbo', fallbackProvider: 'runway', fallbackModel: 'gen4_turbo' }, 'fallbackProvider', 'The fallback must differ from the primary provider (Runway).'],
      [{ provider: 'runway', primaryModel: 'ray-2' }, 'primaryModel', 'ray-2 is a Luma Dream Machine model; Runway runs'],
      [{ provider: 'luma', primaryModel: 'gen4.5' }, 'primaryModel', 'gen4.5 is a Runway model; Luma Dream Machine runs ray-2, ray-flash-2, ray-1-6.'],
      [{ provider: 'luma', primaryModel: 'ray-3' }, 'primaryModel', 'Luma Dream Machine has no model called ray-3'],
      [{ provider: 'runway', primaryModel: 'gen4_turbo', fallbackProvider: 'luma', fallbackModel: 'gen4_turbo' }, 'fallbackModel', 'gen4_turbo is a Runway model'],
      [{ provider: 'runway', primaryModel: 'gen4_turbo', fallbackProvider: 'local', fallbackModel: '' }, 'fallbackModel', 'Choose a Local (ffmpeg) model (ffmpeg-zoompan).'],
      [{ provider: 'openai', primaryModel: 'gpt' }, 'provider', 'Choose Runway, Luma, the local provider'],
      [{ provider: 'runway', primaryModel: 'gen4_turbo', providersDown: 'nope' }, 'providersDown', 'Choose among the listed providers.'],
      [{ provider: 'runway', primaryModel: 'gen4_turbo', 'cost:luma:ray-2': '0' }, 'cost:luma:ray-2', 'Credits per 5 seconds must be whole numbers from 1 to 100'],
    ];
    for (const [changes, field, message] of cases) {
      const res = await saveProviders(changes);
      expect(res.statusCode, JSON.stringify(changes)).toBe(400);
      expect(res.body, JSON.stringify(changes)).toContain('The providers need fixing');
      expect(res.body, JSON.stringify(changes)).toContain(message);
      expect(res.body, JSON.stringify(changes)).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"`));
    }
    // The page shows what was sent, so the admin corrects it rather than starting over.
    const shown = await saveProviders({ provider: 'runway', primaryModel: 'ray-2' });
    expect(shown.body).toMatch(/<option value="runway" selected>/);
    expect(shown.body).toMatch(/<option value="ray-2" selected>/);
    expect(await getSettings(w.t.ctx.db)).toEqual(before);
    expect((await auditRows(w.t.ctx.db, 'settings.providers')).length).toBe(count);
  });

  it('the main settings form leaves the provider and models alone', async () => {
    const before = await getSettings(w.t.ctx.db);
    const main = await admin.get('/admin/settings');
    expect(main.body.match(/name="provider"/g)).toHaveLength(1);
    const form = { ...before, allowedDurations: before.allowedDurations.map(String), provider: 'local', model: 'veo3.1', lumaModel: 'ray-1-6', creditsPer5s: '2' } as unknown as Record<string, string>;
    expect((await admin.post('/admin/settings', form)).statusCode).toBe(303);
    const after = await getSettings(w.t.ctx.db);
    expect(after.creditsPer5s).toBe(2);
    expect([after.provider, after.model, after.lumaModel]).toEqual([before.provider, before.model, before.lumaModel]);
    await saveSettings(w.t.ctx.db, { creditsPer5s: before.creditsPer5s });
  });

  it('the creator is shown the primary’s price and charged it', async () => {
    await saveSettings(w.t.ctx.db, { provider: 'luma', lumaModel: 'ray-2', providerCosts: { 'luma:ray-2': 2 } });
    try {
      const { user, project, b } = await creator(w.t, 5);
      const page = await b.get(`/projects/${project.id}`);
      expect(decoded(page.body)).toMatch(/5 seconds · 2 credits/);
      await uploadClip(b, project.id, { duration: 5 });
      expect((await latestClip(w.t.ctx.db, project.id)).credits_spent).toBe(2);
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(3);
    } finally {
      await saveSettings(w.t.ctx.db, { provider: null, fallbackProvider: null, providerCosts: {} });
    }
  });
});
