import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { MESSAGES } from '../../src/generation/messages.js';
import { checkOutputUrl, guardedLookup, isPrivateAddress, outputPolicy, type OutputPolicy } from '../../src/generation/output-url.js';
import { ProviderError } from '../../src/generation/providers/types.js';
import { balanceOf, latestClip, ledgerFor, uploadClip, waitForClipDone } from '../factories/clips.js';
import { sampleMp4 } from '../fakes/runway.js';
import { creator, useWorld } from '../generation/world.js';

// Issue 16, item 8: the provider's output URL was fetched wherever it pointed, following
// redirects. Now only https on the provider's own hosts (tests: the fake's 127.0.0.1 over http,
// allowed for loopback in tests only), redirects re-checked hop by hop, size and time capped.

const MAX = 500_000;
const world = useWorld({ MAX_VIDEO_BYTES: String(MAX) });

/** Uploads one clip and waits for the generation to end; the clip, its owner's balance before, and the output requests made. */
async function generate() {
  const w = world();
  w.startWorkers();
  const { user, project, b } = await creator(w.t, 2);
  const before = await balanceOf(w.t.ctx.db, user.id);
  await uploadClip(b, project.id);
  const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
  const outputs = w.fake.requests.filter((r) => r.path === `/outputs/${clip.provider_task_id}.mp4`);
  return { clip, user, before, outputs };
}

async function expectFailedAndRefunded(run: Awaited<ReturnType<typeof generate>>, message: string, code: string) {
  const { t } = world();
  expect(run.clip.status).toBe('error');
  expect(run.clip.error_message).toBe(message);
  expect(run.clip.error_code).toBe(code);
  expect(run.clip.video_key).toBeNull();
  expect(await balanceOf(t.ctx.db, run.user.id)).toBe(run.before);
  const ledger = await ledgerFor(t.ctx.db, run.user.id);
  expect(ledger.filter((l) => l.type === 'refund')).toEqual([{ amount: 1, type: 'refund', reference_id: `${run.clip.id}:1` }]);
}

describe('downloading the provider’s output', () => {
  it('still downloads from an allowed host, following a redirect that stays on it', async () => {
    expect((await sampleMp4()).length).toBeLessThan(MAX);
    world().fake.failNext('output', { status: 302, location: '?_jwt=moved' });
    const run = await generate();
    expect(run.clip.status).toBe('ready');
    expect(run.outputs.map((r) => r.status)).toEqual([302, 200]);
  });

  it('refuses an output URL on a host that is not the provider’s, without fetching it: the clip fails, refunded', async () => {
    const w = world();
    // localhost is this very machine (the fake would answer), but it is not on the list.
    w.fake.setOutputUrl((_id, own) => own.replace('127.0.0.1', 'localhost'));
    try {
      const run = await generate();
      await expectFailedAndRefunded(run, MESSAGES.outputRefused, 'OUTPUT_REFUSED');
      expect(run.outputs).toEqual([]);
    } finally {
      w.fake.setOutputUrl(null);
    }
  });

  it('refuses a redirect to a host that is not the provider’s', async () => {
    const w = world();
    const port = new URL(w.fake.url).port;
    w.fake.failNext('output', { status: 302, location: `http://localhost:${port}/outputs/elsewhere.mp4?_jwt=x` });
    const run = await generate();
    await expectFailedAndRefunded(run, MESSAGES.outputRefused, 'OUTPUT_REFUSED');
    expect(run.outputs.map((r) => r.status)).toEqual([302]);
    expect(w.fake.requests.filter((r) => r.path === '/outputs/elsewhere.mp4')).toEqual([]);
  });

  it('refuses endless redirects', async () => {
    world().fake.failNext('output', { status: 302, location: '?_jwt=again' }, 4);
    const run = await generate();
    await expectFailedAndRefunded(run, MESSAGES.outputRefused, 'OUTPUT_REFUSED');
    expect(run.outputs.map((r) => r.status)).toEqual([302, 302, 302, 302]);
  });

  it('refuses a video over MAX_VIDEO_BYTES, announced or not', async () => {
    world().fake.failNext('output', { status: 200, bytes: MAX + 1 });
    await expectFailedAndRefunded(await generate(), MESSAGES.outputTooLarge, 'OUTPUT_TOO_LARGE');
    world().fake.failNext('output', { status: 200, bytes: 3 * MAX, chunked: true });
    const run = await generate();
    await expectFailedAndRefunded(run, MESSAGES.outputTooLarge, 'OUTPUT_TOO_LARGE');
    expect(run.outputs).toHaveLength(1); // not worth a retry: the same video would be as large
  });
});

describe('the output URL policy in production', () => {
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) });
  const policy: OutputPolicy = outputPolicy(config, 'runway');
  const refused = (url: string) => {
    try {
      checkOutputUrl(url, policy);
    } catch (err) {
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).retryable).toBe(false);
      return (err as ProviderError).message;
    }
    return null;
  };

  it('accepts only https on Runway’s own hosts (and their subdomains)', () => {
    expect(policy.allowLoopback).toBe(false);
    expect(refused('https://dnznrvs05pmza.cloudfront.net/abc.mp4?_jwt=x')).toBeNull();
    expect(refused('https://a.runwayml.com/x.mp4')).toBeNull();
    expect(refused('http://dnznrvs05pmza.cloudfront.net/abc.mp4')).toMatch(/not https/);
    expect(refused('https://dnznrvs05pmza.cloudfront.net.evil.example/abc.mp4')).toMatch(/not one of/);
    expect(refused('https://evilrunwayml.com/x.mp4')).toMatch(/not one of/);
    expect(refused('https://other.cloudfront.net/x.mp4')).toMatch(/not one of/);
    expect(refused('https://user:pw@dnznrvs05pmza.cloudfront.net/x.mp4')).toMatch(/user name/);
    expect(refused('http://127.0.0.1:8080/x.mp4')).toMatch(/not https/);
    expect(refused('https://169.254.169.254/latest/meta-data')).toMatch(/address, not a host name/);
    expect(refused('https://[::1]/x.mp4')).toMatch(/address/);
    expect(refused('file:///etc/passwd')).toMatch(/not https/);
    expect(refused('not a url')).toMatch(/not a URL/);
    // Loopback over http is for tests only, and only when the list names it.
    expect(outputPolicy(loadConfig({ NODE_ENV: 'development' }), 'runway').allowLoopback).toBe(false);
    expect(outputPolicy(config, 'local').hosts).toEqual([]);
  });

  it('refuses a listed name that resolves to a private address', async () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '0.0.0.0']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
    const lookup = guardedLookup(policy);
    const err = await new Promise<unknown>((resolve) => lookup('localhost', { all: true }, (e: unknown) => resolve(e)));
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/not a public address/);
  });
});
