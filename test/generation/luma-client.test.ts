import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { lumaRequest } from '../../src/generation/providers/luma-http.js';
import { classifyLumaFailure, lumaDuration, lumaStatus, LUMA_ASPECT } from '../../src/generation/providers/luma.js';
import { failoverReason } from '../../src/generation/submit.js';
import { ProviderError } from '../../src/generation/providers/types.js';
import { RATIOS } from '../../src/settings/ratios.js';
import { startLumaFake } from '../fakes/luma.js';

const PROD = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), LUMA_API_KEY: 'k' };

describe('Luma configuration', () => {
  it('refuses Luma in production when media would not be reachable from outside, naming the setting', () => {
    expect(() => loadConfig({ ...PROD, PUBLIC_URL: 'http://localhost:3000' })).toThrow(/^Invalid setting PUBLIC_URL: must be a public address/);
    expect(() => loadConfig({ ...PROD })).toThrow(/^Invalid setting PUBLIC_URL/);
    expect(() => loadConfig({ ...PROD, S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' })).toThrow(/^Invalid setting S3_ENDPOINT/);
    expect(loadConfig({ ...PROD, PUBLIC_URL: 'https://echoes.example.com' }).LUMA_API_KEY).toBe('k');
    expect(loadConfig({ ...PROD, S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'https://media.example.com', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' }).LUMA_API_KEY).toBe('k');
    // Outside production, loopback is how tests and development run.
    expect(loadConfig({ LUMA_API_KEY: 'k', PUBLIC_URL: 'http://127.0.0.1:3000' }).LUMA_API_URL).toBe('https://api.lumalabs.ai/dream-machine/v1');
  });

  it('ACTIVE_AI_PROVIDER=luma needs LUMA_API_KEY', () => {
    expect(() => loadConfig({ ACTIVE_AI_PROVIDER: 'luma' })).toThrow(/^Invalid setting LUMA_API_KEY/);
    expect(loadConfig({ ACTIVE_AI_PROVIDER: 'luma', LUMA_API_KEY: 'k' }).activeProvider).toBe('luma');
  });
});

describe('Luma mapping', () => {
  it('maps every Echoes ratio, 5 s and 10 s, and tells content refusals from other failures', () => {
    for (const r of RATIOS) expect(LUMA_ASPECT[r.value]).toBeTruthy();
    expect(LUMA_ASPECT['1584:672']).toBe('21:9');
    expect([lumaDuration(5), lumaDuration(10), lumaDuration(3)]).toEqual(['5s', '9s', '5s']);
    expect(classifyLumaFailure('Prompt flagged by content moderation')).toBe('SAFETY.LUMA');
    expect(classifyLumaFailure('Failed to fetch keyframe image')).toBe('ASSET.LUMA');
    expect(classifyLumaFailure('Internal error')).toBe('LUMA.FAILED');
    expect(lumaStatus({ state: 'dreaming' })).toEqual({ state: 'running' });
    expect(lumaStatus({ state: 'completed', assets: { video: 'https://x/v.mp4' } })).toEqual({ state: 'succeeded', outputUrl: 'https://x/v.mp4' });
    expect(lumaStatus({ state: 'completed', assets: null }).state).toBe('failed');
  });
});

describe('Luma HTTP', () => {
  it('retries a GET through 503s, never re-sends a POST whose answer was lost, and names out-of-credits', async () => {
    const fake = await startLumaFake();
    try {
      const o = { baseUrl: fake.url, apiKey: fake.apiKey, baseDelayMs: 1, maxDelayMs: 5 };
      fake.failNext('list', { status: 503 }, 2);
      expect((await lumaRequest(o, 'GET', '/generations?limit=1')).status).toBe(200);
      expect(fake.requests.filter((r) => r.path === '/generations').map((r) => r.status)).toEqual([503, 503, 200]);

      fake.failNext('submit', { status: 0 });
      await expect(lumaRequest(o, 'POST', '/generations', { model: 'ray-2' })).rejects.toMatchObject({ code: 'NETWORK', retryable: true });
      expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);

      fake.failNext('submit', { status: 402, detail: 'Insufficient credits: please top up your account' });
      const err = await lumaRequest(o, 'POST', '/generations', {}).catch((e: ProviderError) => e);
      expect(err).toMatchObject({ code: 'OUT_OF_CREDITS', retryable: false });
      expect(failoverReason(err as ProviderError)).toBe('out_of_credits');

      const bad = await lumaRequest(o, 'POST', '/generations', { model: 'ray-2' }).catch((e: ProviderError) => e);
      expect(bad).toMatchObject({ status: 400, retryable: false });
      expect(failoverReason(bad as ProviderError)).toBeNull();

      const unauth = await lumaRequest({ ...o, apiKey: 'wrong' }, 'GET', '/generations?limit=1').catch((e: ProviderError) => e);
      expect(unauth).toMatchObject({ status: 401 });
    } finally {
      await fake.close();
    }
  });
});
