import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSettings, saveSettings } from '../../src/settings/service.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows } from '../factories/admin.js';
import { balanceOf, latestClip, uploadClip } from '../factories/clips.js';
import type { TestBrowser } from '../setup/browser.js';
import { creator } from '../generation/world.js';
import { startProvidersWorld, type ProvidersWorld } from '../generation/luma-world.js';

let w: ProvidersWorld;
let admin: TestBrowser;
beforeAll(async () => {
  w = await startProvidersWorld({ ADMIN_PASSWORD, ACTIVE_AI_PROVIDER: 'runway' });
  admin = await adminBrowser(w.t.app);
});
afterAll(async () => {
  await w?.close();
});

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

  it('saves the fallback, the Luma model, providers marked down and prices, audited; refuses bad values with a message', async () => {
    const res = await admin.post('/admin/settings/providers', { fallbackProvider: 'luma', lumaModel: 'ray-flash-2', 'cost:luma:ray-flash-2': '3', providersDown: '' });
    expect(res.statusCode).toBe(303);
    const s = await getSettings(w.t.ctx.db);
    expect(s).toMatchObject({ fallbackProvider: 'luma', lumaModel: 'ray-flash-2', providersDown: [], providerCosts: { 'luma:ray-flash-2': 3 } });
    expect((await auditRows(w.t.ctx.db, 'settings.providers')).length).toBe(1);

    const bad = await admin.post('/admin/settings/providers', { fallbackProvider: 'runway', lumaModel: 'ray-2', 'cost:luma:ray-2': '0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The fallback must differ from the primary provider.');
    expect(bad.body).toContain('Credits per 5 seconds must be whole numbers from 1 to 100');
    expect((await getSettings(w.t.ctx.db)).lumaModel).toBe('ray-flash-2');

    // The main settings form leaves the providers section alone.
    const main = await admin.get('/admin/settings');
    expect(main.body).toContain('name="cost:luma:ray-flash-2"');
  });

  it('the creator is shown the primary’s price and charged it', async () => {
    await saveSettings(w.t.ctx.db, { provider: 'luma', lumaModel: 'ray-2', providerCosts: { 'luma:ray-2': 2 } });
    try {
      const { user, project, b } = await creator(w.t, 5);
      const page = await b.get(`/projects/${project.id}`);
      expect(page.body).toMatch(/5 seconds · 2 credits/);
      await uploadClip(b, project.id, { duration: 5 });
      expect((await latestClip(w.t.ctx.db, project.id)).credits_spent).toBe(2);
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(3);
    } finally {
      await saveSettings(w.t.ctx.db, { provider: null, providerCosts: {} });
    }
  });
});
