import { beforeEach, describe, expect, it } from 'vitest';
import { createClip } from '../factories/clips.js';
import { sampleMp4 } from '../fakes/runway.js';
import { creator, useWorld, type World } from '../generation/world.js';
import { decoded } from '../setup/html.js';

const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});
const htmx = { 'hx-request': 'true' };
const json = { accept: 'application/json' };
const columns = async (id: string) => w.t.ctx.db.selectFrom('clips').select(['transition_kind', 'transition_s', 'transition_beats']).where('id', '=', id).executeTakeFirstOrThrow();

async function twoClips() {
  const c = await creator(w.t, 5);
  const video = await sampleMp4();
  const a = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video, approved: true });
  const second = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video, approved: true });
  return { ...c, a, second, lengthS: a.video_duration_s ?? a.duration_s };
}

describe('POST /clips/:id/transition', () => {
  it('sets the transition into the next clip: the card says it, the players play it, and it can be undone', async () => {
    const { b, a, project } = await twoClips();
    const res = await b.post(`/clips/${a.id}/transition`, { kind: 'dip', amount: '0.5', unit: 's' }, htmx);
    expect(res.statusCode).toBe(200);
    expect(decodeURIComponent(String(res.headers['x-undo-label']))).toBe('Transition changed');
    expect(decoded(res.body)).toContain('Dip to black 0.5 s');
    // The card carries the summary; its form comes when the transition is opened, or as a page.
    expect(decoded(res.body)).not.toContain('clip-transition-form');
    const form = decoded((await b.get(`/clips/${a.id}/transition`, htmx)).body);
    expect(form).toContain('<option value="dip" selected>');
    expect(form).toContain(`hx-post="/clips/${a.id}/transition"`);
    const page = await b.get(`/clips/${a.id}/transition`);
    expect(page.statusCode).toBe(200);
    expect(decoded(page.body)).toContain('Now: Dip to black 0.5 s');
    expect(await columns(a.id)).toEqual({ transition_kind: 'dip', transition_s: 0.5, transition_beats: null });

    const play = await b.get(`/projects/${project.id}/play`);
    const data = JSON.parse(decoded(/<script type="application\/json" id="playlist">([\s\S]*?)<\/script>/.exec(play.body)![1]!));
    expect(data.clips[1].transitionIn).toEqual({ kind: 'dip', s: 0.5 });
    expect(data.clips[1].startS).toBeCloseTo(data.clips[0].outS - 0.5, 5);

    expect((await b.post(`/clips/${a.id}/transition`, { kind: 'flash', beats: '1' })).statusCode).toBe(303);
    expect(await columns(a.id)).toEqual({ transition_kind: 'flash', transition_s: null, transition_beats: 1 });
    expect((await b.post(`/projects/${project.id}/undo`, {}, json)).json()).toMatchObject({ undone: 'Transition changed' });
    expect(await columns(a.id)).toEqual({ transition_kind: 'dip', transition_s: 0.5, transition_beats: null });
    await b.post(`/projects/${project.id}/undo`, {}, json);
    expect(await columns(a.id)).toEqual({ transition_kind: 'crossfade', transition_s: null, transition_beats: null });
  });

  it('refuses bad input with words and changes nothing: unknown kinds, too long, both lengths, not a number; 404 for another person\'s clip', async () => {
    const { b, a, lengthS } = await twoClips();
    const refused = async (form: Record<string, string>, words: RegExp) => {
      const res = await b.post(`/clips/${a.id}/transition`, form, json);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(words);
    };
    await refused({ kind: 'wipe' }, /Choose a transition/);
    await refused({ kind: 'dip', s: String(lengthS) }, /longer than these clips allow: at most/);
    await refused({ kind: 'crossfade', s: '1', beats: '2' }, /not both/);
    await refused({ kind: 'crossfade', amount: 'soon', unit: 's' }, /must be a number/);
    await refused({ kind: 'crossfade', s: '-1' }, /more than 0/);
    expect(await columns(a.id)).toEqual({ transition_kind: 'crossfade', transition_s: null, transition_beats: null });

    const other = await twoClips();
    expect((await b.post(`/clips/${other.a.id}/transition`, { kind: 'cut' }, json)).statusCode).toBe(404);
    expect((await b.get(`/clips/${other.a.id}/transition`, htmx)).statusCode).toBe(404);
    expect(await columns(other.a.id)).toEqual({ transition_kind: 'crossfade', transition_s: null, transition_beats: null });
    expect(await w.t.ctx.db.selectFrom('project_edits').select('id').where('project_id', '=', other.project.id).execute()).toEqual([]);
  });
});
