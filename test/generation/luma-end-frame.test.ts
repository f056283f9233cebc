import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveSettings } from '../../src/settings/service.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, createClip, getClip, ledgerFor, waitForClipDone } from '../factories/clips.js';
import { takesOf } from '../factories/takes.js';
import { sampleMp4 } from '../fakes/runway.js';
import { decoded } from '../setup/html.js';
import { creator } from './world.js';
import { startProvidersWorld, type ProvidersWorld } from './luma-world.js';

// Issue 29 item 3: a take that ends on the next clip's photo (Luma's keyframes.frame1), offered at
// Luma's price where the primary (Runway gen4_turbo) cannot, and never failed over to a provider
// that would ignore the end frame. The Luma fake fetches frame1 as the real API would.

let w: ProvidersWorld;
beforeAll(async () => {
  w = await startProvidersWorld({ ACTIVE_AI_PROVIDER: 'runway' });
  w.startWorkers();
});
afterAll(async () => {
  await w?.close();
});
afterEach(async () => {
  await saveSettings(w.t.ctx.db, { provider: null, fallbackProvider: null, providersDown: [], providerCosts: {} });
  await expectLedgerBalanced(w.t.ctx.db);
});
const htmx = { 'hx-request': 'true' };

/** A creator's project with two ready clips: the first will end on the second's photo. */
async function twoClips(credits = 8) {
  const c = await creator(w.t, credits);
  const video = await sampleMp4();
  const first = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video });
  const second = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video });
  return { ...c, first, second };
}

describe('end on the next photo', () => {
  it('Runway cannot, so the form says why and offers Luma at its price; the take goes to Luma with frame1 = the next photo', async () => {
    await saveSettings(w.t.ctx.db, { providerCosts: { 'luma:ray-2': 2 } });
    const { b, user, first, second } = await twoClips();
    const form = decoded((await b.get(`/clips/${first.id}/regenerate`, htmx)).body);
    expect(form).toContain('Runway (gen4_turbo) starts from the photo but cannot end on another one. Luma (ray-2) can: a take ending on the next photo is made there, at its price.');
    expect(form).toMatch(/<option value="5" data-cost="1" data-end-cost="2" selected>/);
    expect(form).toMatch(/name="end" value="next" data-direction-end aria-describedby=/); // offered, not disabled

    const res = await b.post(`/clips/${first.id}/regenerate`, { prompt: 'She walks into the light', motion: 'orbit', end: 'next', price: '2' }, htmx);
    expect(res.statusCode).toBe(200);
    expect(await getClip(w.t.ctx.db, first.id)).toMatchObject({ provider: 'luma', model: 'ray-2', credits_spent: 2, end_image_key: second.image_key });
    expect(await ledgerFor(w.t.ctx.db, user.id)).toContainEqual({ amount: -2, type: 'generation', reference_id: `${first.id}:2` });

    const done = await waitForClipDone(w.t.ctx.db, first.id);
    expect(done.status).toBe('ready');
    const g = w.luma.find(done.provider_task_id!)!;
    const frames = g.body.keyframes as { frame0: { type: string; url: string }; frame1: { type: string; url: string } };
    expect(frames.frame0.url).toContain(first.image_key);
    expect(frames.frame1.type).toBe('image');
    expect(frames.frame1.url.startsWith(`${w.publicUrl}/media/`)).toBe(true);
    expect(frames.frame1.url).toContain(second.image_key);
    // Luma (the fake) fetched the end photo from outside the session, and got an image.
    expect(g.endFrameFetch).toMatchObject({ status: 200 });
    expect(g.endFrameFetch!.contentType).toMatch(/^image\//);
    expect(g.body.prompt).toMatch(/^Camera orbit left\. She walks into the light/);
    expect(w.runway.submissions.some((s) => String(s.body.promptText ?? '').includes('She walks into the light'))).toBe(false);
    const take = (await takesOf(w.t.ctx.db, first.id)).find((t) => t.attempt === 2)!;
    expect(take).toMatchObject({ status: 'ready', provider: 'luma', end_image_key: second.image_key, motion: 'orbit', credits_spent: 2 });
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(8 - 2 - 2);
  });

  it('failover never sends an end-frame take to Runway: with Luma marked down it still goes to Luma, while a plain take fails over', async () => {
    await saveSettings(w.t.ctx.db, { provider: 'luma', fallbackProvider: 'runway', providersDown: ['luma'] });
    const { b, first, second } = await twoClips();
    const runwayBefore = w.runway.submissions.length;
    expect((await b.post(`/clips/${first.id}/regenerate`, { end: 'next', price: '1' }, htmx)).statusCode).toBe(200);
    const ended = await waitForClipDone(w.t.ctx.db, first.id);
    expect(ended).toMatchObject({ status: 'ready', provider: 'luma', failover_from: null, end_image_key: second.image_key });
    expect((w.luma.find(ended.provider_task_id!)!.body.keyframes as { frame1?: unknown }).frame1).toBeTruthy();
    expect(w.runway.submissions.length).toBe(runwayBefore);

    // The same settings move a take without an end frame to Runway: the failover is live, only the end frame kept it away.
    expect((await b.post(`/clips/${second.id}/regenerate`, { price: '1' }, htmx)).statusCode).toBe(200);
    const plain = await waitForClipDone(w.t.ctx.db, second.id);
    expect(plain).toMatchObject({ status: 'ready', provider: 'runway', failover_from: 'luma' });
    expect(w.runway.submissions.length).toBe(runwayBefore + 1);
  });
});

describe('the Luma fake checks frame1 as the API would', () => {
  it('refuses an end keyframe that is not an image by URL', async () => {
    const post = (keyframes: unknown) =>
      fetch(`${w.luma.url}/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.luma.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'ray-2', prompt: 'x', aspect_ratio: '16:9', duration: '5s', resolution: '720p', keyframes }),
      });
    const frame0 = { type: 'image', url: `${w.publicUrl}/media/nothing.jpg` };
    const bad = [
      [{ frame0, frame1: { type: 'generation', id: 'abc' } }, 'keyframes.frame1: an image keyframe with a url is required'],
      [{ frame0, frame1: { type: 'image', url: 'data:image/png;base64,AAAA' } }, 'keyframes.frame1.url: data URIs are not accepted'],
      [{ frame0, frame1: { type: 'image', url: 'ftp://example.com/a.jpg' } }, 'keyframes.frame1.url: must be an https URL'],
      [{ frame0, frame2: { type: 'image', url: frame0.url } }, 'keyframes.frame2: unknown keyframe'],
    ] as const;
    for (const [keyframes, detail] of bad) {
      const res = await post(keyframes);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ detail });
    }
  });
});
