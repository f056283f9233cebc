import { describe, expect, it } from 'vitest';
import { createTestApp } from '../setup/context.js';
import { useAdminApp } from './harness.js';
import { activeProvider, clipCost, getSettings, DEFAULT_SETTINGS } from '../../src/settings/service.js';
import type { Settings } from '../../src/settings/defaults.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows } from '../factories/admin.js';
import { decoded } from '../setup/html.js';

const w = useAdminApp();

/** The settings form as the page submits it, from a settings object plus changes. */
function form(s: Settings, changes: Record<string, string | string[]> = {}) {
  return {
    systemPrompt: s.systemPrompt,
    defaultRatio: s.defaultRatio,
    allowedDurations: s.allowedDurations.map(String),
    defaultDuration: String(s.defaultDuration),
    creditsPer5s: String(s.creditsPer5s),
    generationTimeoutMin: String(s.generationTimeoutMin),
    referralReward: String(s.referralReward),
    shareReward: String(s.shareReward),
    maxRewardedShares: String(s.maxRewardedShares),
    ...changes,
  };
}

async function save(changes: Record<string, string | string[]>) {
  return w.b.post('/admin/settings', form(await getSettings(w.t.ctx.db), changes));
}

describe('generation settings', () => {
  it('shows every setting with the current values', async () => {
    const res = await w.b.get('/admin/settings');
    expect(res.statusCode).toBe(200);
    // Prices per provider and model are one input each (name="cost:<provider>:<model>"); the Runway
    // and Luma models are chosen as the primary's or the fallback's model.
    const field: Record<string, string> = { providerCosts: 'name="cost:', model: 'name="primaryModel"', lumaModel: 'name="fallbackModel"' };
    for (const name of Object.keys(DEFAULT_SETTINGS)) expect(res.body, name).toContain(field[name] ?? `name="${name}"`);
    expect(res.body).toContain(DEFAULT_SETTINGS.systemPrompt);
    expect(res.body).toContain('RUNWAY_API_KEY</code> is not set');
  });

  it('changes what the next generation uses, one setting at a time', async () => {
    const effects: Array<[Record<string, string | string[]>, (s: Settings) => void]> = [
      [{ systemPrompt: 'Dreamy, slow motion.' }, (s) => expect(s.systemPrompt).toBe('Dreamy, slow motion.')],
      [{ defaultRatio: '720:1280' }, (s) => expect(s.defaultRatio).toBe('720:1280')],
      [{ allowedDurations: ['3', '5', '8'], defaultDuration: '8' }, (s) => expect([s.allowedDurations, s.defaultDuration]).toEqual([[3, 5, 8], 8])],
      [{ creditsPer5s: '3' }, (s) => expect([clipCost(s, 5), clipCost(s, 8), clipCost(s, 3)]).toEqual([3, 5, 2])],
      [{ generationTimeoutMin: '30' }, (s) => expect(s.generationTimeoutMin).toBe(30)],
      [{ referralReward: '7' }, (s) => expect(s.referralReward).toBe(7)],
      [{ shareReward: '0' }, (s) => expect(s.shareReward).toBe(0)],
      [{ maxRewardedShares: '9' }, (s) => expect(s.maxRewardedShares).toBe(9)],
    ];
    for (const [changes, check] of effects) {
      const res = await save(changes);
      expect(res.statusCode, JSON.stringify(changes)).toBe(303);
      check(await getSettings(w.t.ctx.db));
    }
    const page = await w.b.get('/admin/settings');
    expect(decoded(page.body)).toContain('8 s · 5 cr');
    expect(page.body).toContain('Portrait 9:16');
  });

  it('audits before and after of what changed, and nothing when nothing changed', async () => {
    await save({ creditsPer5s: '2', referralReward: '4' });
    const [audit] = await auditRows(w.t.ctx.db, 'settings.update');
    expect(audit!.before).toEqual({ creditsPer5s: 3, referralReward: 7 });
    expect(audit!.after).toEqual({ creditsPer5s: 2, referralReward: 4 });
    const count = (await auditRows(w.t.ctx.db, 'settings.update')).length;
    const res = await save({});
    expect(res.statusCode).toBe(303);
    expect((await auditRows(w.t.ctx.db, 'settings.update')).length).toBe(count);
  });

  it('refuses invalid values with clear messages and saves nothing', async () => {
    const before = await getSettings(w.t.ctx.db);
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ defaultRatio: '999:1' }, 'Choose one of the listed ratios.'],
      [{ allowedDurations: [] }, 'Allow at least one clip length'],
      [{ allowedDurations: ['5', '11'] }, 'Allow at least one clip length'],
      [{ allowedDurations: ['5', '10'], defaultDuration: '8' }, 'The default length must be one of the allowed lengths.'],
      [{ creditsPer5s: '0' }, 'Credits per 5 seconds must be a whole number from 1 to 100.'],
      [{ creditsPer5s: '1.5' }, 'Credits per 5 seconds must be a whole number from 1 to 100.'],
      [{ generationTimeoutMin: '500' }, 'The timeout must be a whole number of minutes from 1 to 120.'],
      [{ referralReward: '-1' }, 'The referral reward must be a whole number from 0 to 1000.'],
      [{ shareReward: 'lots' }, 'The share reward must be a whole number from 0 to 1000.'],
      [{ maxRewardedShares: '' }, 'Rewarded shares must be a whole number from 0 to 1000.'],
      [{ systemPrompt: 'x'.repeat(1001) }, 'The system prompt can be at most 1000 characters.'],
    ];
    for (const [changes, message] of cases) {
      const res = await save(changes);
      expect(res.statusCode, JSON.stringify(changes).slice(0, 80)).toBe(400);
      expect(res.body, JSON.stringify(changes).slice(0, 80)).toContain(message);
    }
    expect(await getSettings(w.t.ctx.db)).toEqual(before);
  });

  it('previews the final prompt for a sample prompt (htmx fragment, and the full page without script)', async () => {
    const res = await w.b.post('/admin/settings/preview', { systemPrompt: 'Soft light.', samplePrompt: 'A cat on a roof' }, { 'hx-request': 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(res.body).toContain('A cat on a roof. Soft light.');
    const full = await w.b.post('/admin/settings/preview', form(await getSettings(w.t.ctx.db), { systemPrompt: 'Grainy film.', samplePrompt: 'Two dogs' }));
    expect(full.statusCode).toBe(200);
    expect(full.body).toContain('<html');
    expect(full.body).toContain('Two dogs. Grainy film.');
    expect(full.body).toContain('>Grainy film.</textarea>');
    // Preview saves nothing.
    expect((await getSettings(w.t.ctx.db)).systemPrompt).not.toBe('Grainy film.');
    const long = await w.b.post('/admin/settings/preview', { systemPrompt: 'y'.repeat(990), samplePrompt: 'z'.repeat(50) }, { 'hx-request': 'true' });
    expect(long.body).toContain('cut to the limit');
  });

  it('chooses the primary in the providers form, refusing a provider whose key is not set', async () => {
    const before = await getSettings(w.t.ctx.db);
    const page = await w.b.get('/admin/settings');
    expect(page.body).toMatch(/<option value="runway" disabled>Runway \(needs RUNWAY_API_KEY\)<\/option>/);
    for (const [provider, message] of [['runway', 'Runway needs RUNWAY_API_KEY in the server’s environment'], ['luma', 'Luma Dream Machine needs LUMA_API_KEY in the server’s environment']]) {
      const res = await w.b.post('/admin/settings/providers', { provider: provider!, primaryModel: provider === 'runway' ? 'gen4_turbo' : 'ray-2', fallbackProvider: '' });
      expect(res.statusCode).toBe(400);
      expect(decoded(res.body)).toContain(message);
    }
    expect(await getSettings(w.t.ctx.db)).toEqual(before);
    const ok = await w.b.post('/admin/settings/providers', { provider: 'local', primaryModel: 'ffmpeg-zoompan', fallbackProvider: '' });
    expect(ok.statusCode).toBe(303);
    expect((await getSettings(w.t.ctx.db)).provider).toBe('local');
  });

  it('allows Runway only when the server has a key, and generations then use it', async () => {
    const r = await createTestApp({ ADMIN_PASSWORD, RUNWAY_API_KEY: 'key_test', ACTIVE_AI_PROVIDER: 'local' });
    try {
      const rb = await adminBrowser(r.app);
      expect((await rb.get('/admin/settings')).body).not.toContain('needs RUNWAY_API_KEY');
      // A Runway model it does not list yet is sent as typed.
      for (const model of ['veo3.1', 'my-custom_model.2']) {
        const res = await rb.post('/admin/settings/providers', { provider: 'runway', primaryModel: model, fallbackProvider: 'local', fallbackModel: 'ffmpeg-zoompan' });
        expect(res.statusCode).toBe(303);
        const s = await getSettings(r.ctx.db);
        expect(activeProvider(s, r.ctx.config)).toBe('runway');
        expect([s.model, s.fallbackProvider]).toEqual([model, 'local']);
      }
      expect((await rb.post('/admin/settings/providers', { provider: 'runway', primaryModel: 'gen4 turbo; drop', fallbackProvider: '' })).statusCode).toBe(400);
      await rb.post('/admin/settings/providers', { provider: '', primaryModel: 'ffmpeg-zoompan', fallbackProvider: '' });
      const s = await getSettings(r.ctx.db);
      expect(activeProvider(s, r.ctx.config)).toBe('local');
      expect(s.model).toBe('my-custom_model.2');
    } finally {
      await r.close();
    }
  });
});
