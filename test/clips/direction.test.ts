import { beforeEach, describe, expect, it } from 'vitest';
import { balanceOf, createClip, getClip, ledgerFor, waitFor, waitForClipDone } from '../factories/clips.js';
import { takesOf } from '../factories/takes.js';
import { sampleMp4 } from '../fakes/runway.js';
import { creator, useWorld, type World } from '../generation/world.js';
import { decoded } from '../setup/html.js';
import { saveSettings } from '../../src/settings/service.js';

// Issue 29 items 1 and 4, and its bad input: POST /clips/:id/regenerate with a direction (prompt,
// length, camera motion, versions, the price shown), against the Runway fake with real workers.

const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});
const htmx = { 'hx-request': 'true' };

async function readyClip(credits = 6) {
  const c = await creator(w.t, credits);
  const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video: await sampleMp4() });
  return { ...c, clip };
}

/** Everything a refused direction must leave as it was. */
async function snapshot(clipId: string, userId: string) {
  const clip = await getClip(w.t.ctx.db, clipId);
  return {
    clip: { status: clip.status, attempt: clip.attempt, prompt: clip.prompt, duration_s: clip.duration_s, motion: clip.motion, take_id: clip.take_id },
    takes: (await takesOf(w.t.ctx.db, clipId)).length,
    balance: await balanceOf(w.t.ctx.db, userId),
    ledger: (await ledgerFor(w.t.ctx.db, userId)).length,
    jobs: (await w.t.ctx.queues.generation.getJobs(['waiting', 'delayed', 'active'])).filter((j) => j.data.clipId === clipId).length,
  };
}

describe('the direction form', () => {
  it('is loaded into the card: the prompt prefilled, each length with its price, the camera presets, and why Runway cannot end on the next photo', async () => {
    const { b, clip, project, user } = await readyClip();
    await w.t.ctx.db.updateTable('clips').set({ prompt: 'Waves at dusk' }).where('id', '=', clip.id).execute();
    await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', video: await sampleMp4() });
    const card = await b.get(`/clips/${clip.id}`, htmx);
    expect(card.body).toContain(`hx-get="/clips/${clip.id}/regenerate"`);
    expect(card.body).toContain(`href="/clips/${clip.id}/regenerate"`);
    expect(card.body).not.toContain(`hx-post="/clips/${clip.id}/regenerate"`); // no blind one-click charge on a ready clip

    const res = await b.get(`/clips/${clip.id}/regenerate`, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const html = decoded(res.body);
    expect(html).toContain('>Waves at dusk</textarea>');
    expect(html).toMatch(/<option value="5" data-cost="1" data-end-cost="1" selected>5 s · 1 cr<\/option>/);
    expect(html).toMatch(/<option value="10" data-cost="2" data-end-cost="2">10 s · 2 cr<\/option>/);
    for (const m of ['static', 'push_in', 'pull_out', 'pan_left', 'pan_right', 'orbit', 'crane_up', 'handheld']) expect(html).toContain(`value="${m}"`);
    expect(html).toMatch(/name="end" value="next" data-direction-end disabled/);
    expect(html).toContain('Runway (gen4_turbo) starts from the photo but cannot end on another one. No provider that can (Luma) is set up here.');
    expect(html).toContain('name="price" value="1"');
    expect(html).toContain('name="_csrf"');
    expect(html).not.toContain('<html'); // a fragment for htmx

    const page = await b.get(`/clips/${clip.id}/regenerate`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html');
    expect(page.body).toContain(`href="/projects/${project.id}#clip-${clip.id}"`);
  });

  it('says so on the last clip', async () => {
    const { b, clip } = await readyClip();
    const html = decoded((await b.get(`/clips/${clip.id}/regenerate`, htmx)).body);
    expect(html).toContain('This is the last clip: there is no next photo to end on.');
  });
});

describe('regenerate with a direction', () => {
  it('sends the new prompt, length and camera motion to the provider, charges the price shown, and keeps the older take', async () => {
    const { b, clip, user } = await readyClip(5);
    const res = await b.post(`/clips/${clip.id}/regenerate`, { prompt: 'A slow sunrise over the bay', duration: '10', motion: 'push_in', price: '2' }, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-status="queued"');
    expect(res.body).toContain('data-credit-balance-update="2"');
    expect(await getClip(w.t.ctx.db, clip.id)).toMatchObject({ attempt: 2, prompt: 'A slow sunrise over the bay', duration_s: 10, motion: 'push_in', credits_spent: 2, end_image_key: null });
    expect(await ledgerFor(w.t.ctx.db, user.id)).toContainEqual({ amount: -2, type: 'generation', reference_id: `${clip.id}:2` });

    w.startWorkers();
    const done = await waitForClipDone(w.t.ctx.db, clip.id);
    expect(done.status).toBe('ready');
    const sent = w.fake.submissions.find((s) => String(s.body.promptText).includes('A slow sunrise over the bay'))!.body;
    expect(sent.duration).toBe(10);
    expect(sent.promptText).toMatch(/^The camera slowly pushes in\. A slow sunrise over the bay\. /);
    const takes = await takesOf(w.t.ctx.db, clip.id);
    expect(takes.map((t) => [t.attempt, t.status, t.prompt, t.motion, t.duration_s, t.credits_spent])).toEqual([
      [1, 'ready', '', null, 5, 1],
      [2, 'ready', 'A slow sunrise over the bay', 'push_in', 10, 2],
    ]);
    expect(takes[0]!.video_key).toBe(clip.video_key);
    expect(done.take_id).toBe(takes[1]!.id);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);
  });

  it('a form without fields (the one-click Animate and older clients) keeps the clip\'s direction', async () => {
    const { b, clip } = await readyClip(5);
    await w.t.ctx.db.updateTable('clips').set({ prompt: 'Keep me', motion: 'orbit' }).where('id', '=', clip.id).execute();
    expect((await b.post(`/clips/${clip.id}/regenerate`, {}, htmx)).statusCode).toBe(200);
    expect(await getClip(w.t.ctx.db, clip.id)).toMatchObject({ attempt: 2, prompt: 'Keep me', motion: 'orbit', duration_s: 5 });
    const takes = await takesOf(w.t.ctx.db, clip.id);
    expect(takes.at(-1)).toMatchObject({ attempt: 2, prompt: 'Keep me', motion: 'orbit' });
  });

  it('"2 versions" charges two attempts at once and makes two takes from one direction, one after the other', async () => {
    const { b, clip, user } = await readyClip(5);
    const res = await b.post(`/clips/${clip.id}/regenerate`, { prompt: 'Leaves in the wind', duration: '5', motion: 'handheld', versions: '2', price: '2' }, htmx);
    expect(res.statusCode).toBe(200);
    const charges = (await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'generation');
    expect(charges).toEqual([
      { amount: -1, type: 'generation', reference_id: `${clip.id}:1` },
      { amount: -1, type: 'generation', reference_id: `${clip.id}:2` },
      { amount: -1, type: 'generation', reference_id: `${clip.id}:3` },
    ]);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);

    w.startWorkers();
    const done = await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, clip.id);
      return c.attempt === 3 && c.status === 'ready' ? c : undefined;
    }, 'both versions');
    const takes = (await takesOf(w.t.ctx.db, clip.id)).sort((x, y) => x.attempt! - y.attempt!);
    expect(takes.map((t) => [t.attempt, t.status, t.prompt, t.motion])).toEqual([
      [1, 'ready', '', null],
      [2, 'ready', 'Leaves in the wind', 'handheld'],
      [3, 'ready', 'Leaves in the wind', 'handheld'],
    ]);
    expect(new Set(takes.map((t) => t.video_key)).size).toBe(3);
    expect(done.take_id).toBe(takes[2]!.id);
    // Other tests' queued attempts may run now too: pick this direction's submissions.
    const prompts = w.fake.submissions.map((s) => String(s.body.promptText)).filter((p) => p.includes('Leaves in the wind'));
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toMatch(/^Handheld camera with a subtle, natural shake\. Leaves in the wind/);
    expect(prompts[1]).toBe(prompts[0]);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);
  });

  it('cancelling "2 versions" refunds both, and the next direction takes the next free attempt', async () => {
    const { b, clip, user } = await readyClip(5);
    await b.post(`/clips/${clip.id}/regenerate`, { versions: '2', price: '2' }, htmx);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);
    expect((await b.post(`/clips/${clip.id}/cancel`, {}, htmx)).statusCode).toBe(200);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(4);
    expect((await takesOf(w.t.ctx.db, clip.id)).map((t) => [t.attempt, t.status]).sort()).toEqual([[1, 'ready'], [2, 'error'], [3, 'error']]);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'refund').map((l) => l.reference_id).sort()).toEqual([`${clip.id}:2`, `${clip.id}:3`]);
    expect((await b.post(`/clips/${clip.id}/regenerate`, { price: '1' }, htmx)).statusCode).toBe(200);
    expect(await getClip(w.t.ctx.db, clip.id)).toMatchObject({ attempt: 4, status: 'queued' });
  });

  it('"2 versions" is all or none: a balance for one is refused with what two need', async () => {
    const { b, clip, user } = await readyClip(2); // one left after the clip
    const before = await snapshot(clip.id, user.id);
    const res = await b.post(`/clips/${clip.id}/regenerate`, { versions: '2', price: '2' }, htmx);
    expect(res.statusCode).toBe(402);
    expect(decoded(res.body)).toMatch(/2 credits/);
    expect(await snapshot(clip.id, user.id)).toEqual(before);
  });
});

describe('bad input: a 4xx with words, nothing charged, nothing changed', () => {
  const cases: Array<[string, Record<string, string>, number, RegExp]> = [
    ['an unknown motion preset', { motion: 'barrel_roll' }, 400, /barrel_roll.{0,8} is not a camera motion\. Choose one of: static, push in, pull out, pan left, pan right, orbit, crane up, handheld\./],
    ['a prompt over the limit', { prompt: 'x'.repeat(1001) }, 400, /The prompt can be at most 1000 characters\./],
    ['a length the admin does not allow', { duration: '7' }, 400, /Choose a length of 5 or 10 seconds\./],
    ['end=next on the last clip', { end: 'next' }, 400, /This is the last clip: there is no next photo to end on\./],
    ['three versions', { versions: '3' }, 400, /Ask for 1 or 2 versions\./],
    ['a price other than the one charged', { duration: '10', price: '1' }, 409, /This now costs 2 credits, not the 1 credit shown\. Nothing was charged/],
  ];
  for (const [what, form, status, words] of cases) {
    it(`refuses ${what}`, async () => {
      const { b, clip, user } = await readyClip();
      const before = await snapshot(clip.id, user.id);
      const res = await b.post(`/clips/${clip.id}/regenerate`, form, htmx);
      expect(res.statusCode).toBe(status);
      expect(decoded(res.body)).toMatch(words);
      expect(await snapshot(clip.id, user.id)).toEqual(before);
    });
  }

  it('refuses end=next where no provider can end on a photo, saying why', async () => {
    const { b, clip, user, project } = await readyClip();
    await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', video: await sampleMp4() });
    const before = await snapshot(clip.id, user.id);
    const res = await b.post(`/clips/${clip.id}/regenerate`, { end: 'next' }, htmx);
    expect(res.statusCode).toBe(409);
    expect(decoded(res.body)).toContain('cannot end on another one. No provider that can (Luma) is set up here.');
    expect(await snapshot(clip.id, user.id)).toEqual(before);
  });

  it("another person's clip is a 404, whatever the form says; nothing of theirs or mine changes", async () => {
    const { clip, user } = await readyClip();
    const other = await creator(w.t, 5);
    const before = await snapshot(clip.id, user.id);
    const otherBalance = await balanceOf(w.t.ctx.db, other.user.id);
    for (const form of [{ prompt: 'mine now', motion: 'orbit' }, { motion: 'barrel_roll' }, { end: 'next' }]) {
      expect((await other.b.post(`/clips/${clip.id}/regenerate`, form, htmx)).statusCode).toBe(404);
    }
    expect((await other.b.get(`/clips/${clip.id}/regenerate`, htmx)).statusCode).toBe(404);
    expect(await snapshot(clip.id, user.id)).toEqual(before);
    expect(await balanceOf(w.t.ctx.db, other.user.id)).toBe(otherBalance);
  });

  it('a price the admin changed meanwhile is refused, then the new one shown is accepted', async () => {
    const { b, clip, user } = await readyClip();
    const form = decoded((await b.get(`/clips/${clip.id}/regenerate`, htmx)).body);
    expect(form).toContain('name="price" value="1"');
    await saveSettings(w.t.ctx.db, { creditsPer5s: 2 });
    try {
      const before = await snapshot(clip.id, user.id);
      const res = await b.post(`/clips/${clip.id}/regenerate`, { price: '1' }, htmx);
      expect(res.statusCode).toBe(409);
      expect(await snapshot(clip.id, user.id)).toEqual(before);
      expect((await b.post(`/clips/${clip.id}/regenerate`, { price: '2' }, htmx)).statusCode).toBe(200);
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(before.balance - 2);
    } finally {
      await saveSettings(w.t.ctx.db, { creditsPer5s: 1 });
    }
  });
});
