import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalysis } from '../../src/beats/queries.js';
import { analysisJobId } from '../../src/beats/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';

let t: TestApp;
let owner: TestBrowser;
let projectId: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await createUser(t.ctx.db, { email: 'owner@example.com' });
  projectId = (await createProject(t.ctx.db, user.id, { title: 'Summer' })).id;
  owner = new TestBrowser(t.app);
  await owner.signInDev('owner@example.com');
});

afterAll(async () => {
  await t?.close();
});

const htmx = { 'hx-request': 'true' };

async function project() {
  return t.ctx.db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirstOrThrow();
}

describe('beat sync routes', () => {
  it('serves the panel as a fragment to htmx and as a page otherwise', async () => {
    const frag = await owner.get(`/projects/${projectId}/analysis`, htmx);
    expect(frag.statusCode).toBe(200);
    expect(frag.body).toContain(`id="beat-sync-${projectId}"`);
    expect(frag.body).toContain('data-analysis-status="none"');
    expect(frag.body).not.toContain('<html');
    expect(frag.body).not.toContain('hx-trigger="every 10s');
    const page = await owner.get(`/projects/${projectId}/analysis`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html');
    expect(page.body).toContain('/assets/css/beats.css');
  });

  it('starts with cut on the beat, on every beat', async () => {
    expect(await project()).toMatchObject({ cut_on_beat: true, cut_mode: 'beat' });
    const frag = await owner.get(`/projects/${projectId}/analysis`, htmx);
    expect(frag.body).toMatch(/name="cut_on_beat" value="1" checked/);
    expect(frag.body).toMatch(/<option value="beat" selected>/);
  });

  it('saves the setting and answers htmx with the panel', async () => {
    const res = await owner.post(`/projects/${projectId}/beat-sync`, { cut_mode: 'downbeat' }, htmx);
    expect(res.statusCode).toBe(200);
    expect(await project()).toMatchObject({ cut_on_beat: false, cut_mode: 'downbeat' });
    expect(res.body).not.toMatch(/name="cut_on_beat" value="1" checked/);
    expect(res.body).toMatch(/<option value="downbeat" selected>/);

    const again = await owner.post(`/projects/${projectId}/beat-sync`, { cut_on_beat: '1', cut_mode: 'downbeat' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/projects/${projectId}`);
    expect(await project()).toMatchObject({ cut_on_beat: true, cut_mode: 'downbeat' });
  });

  it('refuses an unknown mode with a clear 400', async () => {
    const res = await owner.post(`/projects/${projectId}/beat-sync`, { cut_on_beat: '1', cut_mode: 'sometimes' }, htmx);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('bar starts');
    expect((await project()).cut_mode).toBe('downbeat');
  });

  it('answers 404 to another user, for reading and for saving', async () => {
    await createUser(t.ctx.db, { email: 'other@example.com' });
    const other = new TestBrowser(t.app);
    await other.signInDev('other@example.com');
    expect((await other.get(`/projects/${projectId}/analysis`, htmx)).statusCode).toBe(404);
    expect((await other.post(`/projects/${projectId}/beat-sync`, { cut_mode: 'beat' })).statusCode).toBe(404);
    expect((await other.get('/projects/not-a-uuid/analysis')).statusCode).toBe(404);
    expect((await project()).cut_mode).toBe('downbeat');
  });

  it('sends a signed-out visitor to sign in', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/projects/${projectId}/analysis` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('polls while a track is analysed, and enqueues an analysis the upload did not', async () => {
    await t.ctx.db.updateTable('projects').set({ music_key: 'music/u/p/late.mp3', music_duration_s: 30 }).where('id', '=', projectId).execute();
    const frag = await owner.get(`/projects/${projectId}/analysis`, htmx);
    expect(frag.body).toContain('data-analysis-status="pending"');
    expect(frag.body).toContain(`hx-get="/projects/${projectId}/analysis" hx-trigger="every 10s, live-analysis from:body" hx-swap="outerHTML"`);
    expect((await findAnalysis(t.ctx.db, projectId))?.status).toBe('queued');
    const job = await t.ctx.queues.analysis.getJob(analysisJobId(projectId, 'music/u/p/late.mp3'));
    expect(job?.data).toMatchObject({ projectId, musicKey: 'music/u/p/late.mp3' });
  });
});
