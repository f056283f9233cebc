import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combinePrompt, truncateText } from '../../src/generation/prompt.js';
import { describeTaskFailure, isSafetyCode } from '../../src/generation/messages.js';
import { backoffMs, parseRetryAfter, runwayRequest } from '../../src/generation/providers/runway-http.js';
import { imageDataUri } from '../../src/generation/providers/runway.js';
import { ProviderError } from '../../src/generation/providers/types.js';
import { startRunwayFake, type RunwayFake } from '../fakes/runway.js';
import { testImage } from '../factories/clips.js';

let fake: RunwayFake;
beforeAll(async () => {
  fake = await startRunwayFake();
});
afterAll(async () => {
  await fake?.close();
});

describe('prompt', () => {
  it('puts the creator\'s words first, then the house style, within 1000 code units', () => {
    expect(combinePrompt('Waves roll in', 'Cinematic.')).toBe('Waves roll in. Cinematic.');
    expect(combinePrompt('Waves!', 'Cinematic.')).toBe('Waves! Cinematic.');
    expect(combinePrompt('', '  Cinematic.  ')).toBe('Cinematic.');
    expect(combinePrompt('  ', '')).toBeUndefined();
    const long = combinePrompt('a'.repeat(900), 'word '.repeat(100))!;
    expect(long.length).toBeLessThanOrEqual(1000);
    expect(long.startsWith('a'.repeat(900) + '. word')).toBe(true);
    expect(long.endsWith('word')).toBe(true);
    expect(combinePrompt('b'.repeat(990), 'Cinematic light everywhere')).toBe('b'.repeat(990));
    expect(combinePrompt('c'.repeat(1000), 'style')!.length).toBe(1000);
  });

  it('never cuts a surrogate pair in half', () => {
    const s = truncateText('x'.repeat(9) + '😀😀', 10);
    expect(s).toBe('x'.repeat(9));
  });
});

describe('failure messages', () => {
  it('treats SAFETY.* and INPUT_PREPROCESSING.SAFETY.* as refusals', () => {
    expect(isSafetyCode('SAFETY.INPUT.IMAGE')).toBe(true);
    expect(isSafetyCode('SAFETY.OUTPUT.VIDEO')).toBe(true);
    expect(isSafetyCode('INPUT_PREPROCESSING.SAFETY.TEXT')).toBe(true);
    expect(isSafetyCode('INTERNAL.BAD_OUTPUT.CODE01')).toBe(false);
    expect(describeTaskFailure('INPUT_PREPROCESSING.SAFETY.TEXT', 'x').message).toMatch(/refused by the content filter/);
    expect(describeTaskFailure('ASSET.INVALID', 'x').message).toMatch(/could not use this image/);
    expect(describeTaskFailure(undefined, undefined)).toMatchObject({ code: 'FAILED' });
  });
});

describe('retry rules', () => {
  it('reads Retry-After as seconds or a date, and backs off with jitter under the cap', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    for (let n = 0; n < 8; n++) {
      const d = backoffMs(n);
      expect(d).toBeLessThanOrEqual(Math.min(8000, 500 * 2 ** n));
      expect(d).toBeGreaterThanOrEqual(Math.min(8000, 500 * 2 ** n) / 2);
    }
  });

  const http = () => ({ baseUrl: fake.url, apiKey: fake.apiKey, baseDelayMs: 10 });

  it('retries 503 and 429, but not 4xx', async () => {
    fake.failNext('status', { status: 503 }, 2);
    const miss = await runwayRequest(http(), 'GET', '/v1/tasks/none').catch((e: ProviderError) => e);
    expect(miss).toBeInstanceOf(ProviderError);
    expect((miss as ProviderError).status).toBe(404);
    expect((miss as ProviderError).retryable).toBe(false);
    expect(fake.requests.slice(-3).map((r) => r.status)).toEqual([503, 503, 404]);

    fake.failNext('status', { status: 429 }, 3);
    const exhausted = await runwayRequest(http(), 'GET', '/v1/tasks/none').catch((e: ProviderError) => e);
    expect(exhausted).toMatchObject({ status: 429, retryable: true });
  });

  it('does not sleep on a long Retry-After: the job waits instead', async () => {
    fake.failNext('submit', { status: 429, retryAfter: 3600 });
    const started = Date.now();
    const err = (await runwayRequest(http(), 'POST', '/v1/image_to_video', {}).catch((e: ProviderError) => e)) as ProviderError;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 3_600_000 });
  });

  it('the fake checks auth, version and body like Runway', async () => {
    const bad = await runwayRequest({ ...http(), apiKey: 'key_wrong' }, 'GET', '/v1/tasks/x').catch((e: ProviderError) => e);
    expect(bad).toMatchObject({ status: 401, retryable: false });
    const noVersion = await fetch(`${fake.url}/v1/tasks/x`, { headers: { authorization: `Bearer ${fake.apiKey}` } });
    expect(noVersion.status).toBe(400);
    const invalid = (await runwayRequest(http(), 'POST', '/v1/image_to_video', { model: 'gen4_turbo', promptImage: 'data:image/png;base64,AAAA', ratio: '1:1', duration: 11 }).catch((e) => e)) as ProviderError;
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/ratio/);
    expect(invalid.message).toMatch(/duration/);
    const model = (await runwayRequest(http(), 'POST', '/v1/image_to_video', { model: 'nope', promptImage: await imageDataUri(await testImage(), 'x.png'), ratio: '960:960', duration: 5 }).catch((e) => e)) as ProviderError;
    expect(model.status).toBe(403);
  });
});

describe('image data URI', () => {
  it('stays under 5 MiB by re-encoding a huge image', async () => {
    const noise = await (await import('sharp')).default({ create: { width: 1800, height: 1800, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 80 } } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(5 * 1024 * 1024);
    const uri = await imageDataUri(noise, 'big.png');
    expect(uri.length).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(uri.startsWith('data:image/jpeg;base64,')).toBe(true);
  });
});

