import { getSettings } from '../../src/settings/service.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { createClip } from '../factories/projects.js';
import { storageKeys } from '../../src/storage/index.js';
import { decoded } from '../setup/html.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function signedIn(email?: string) {
  const user = await createUser(t.ctx.db, { email, credits: 0 });
  const b = new TestBrowser(t.app);
  await b.signInDev(user.email);
  await b.get('/'); // signInDev refreshes its token from /login, which now redirects a signed-in user
  return { b, user };
}

const projectIdFrom = (location: unknown) => /^\/projects\/([0-9a-f-]{36})$/.exec(String(location))?.[1];

describe('first run', () => {
  it('lands a new user on /projects with the guided start, then the project page offers the free clip', async () => {
    const b = new TestBrowser(t.app);
    await b.ensureCsrf();
    const signIn = await b.post('/auth/dev', { email: 'newcomer@example.com', name: 'New' });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/projects');
    b.csrf = '';
    const dash = await b.get('/projects');
    expect(dash.statusCode).toBe(200);
    expect(decoded(dash.body)).toContain('Let’s make your first video');
    expect(dash.body).toContain('your first clip is free');
    expect(dash.body).toMatch(/name="ratio" value="1280:720"\s+checked/);

    const created = await b.post('/projects', { title: 'My first film', ratio: '720:1280' });
    expect(created.statusCode).toBe(303);
    const id = projectIdFrom(created.headers.location);
    expect(id).toBeTruthy();
    const page = await b.get(`/projects/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-first-clip-free');
    expect(page.body).toContain(`action="/projects/${id}/clips?_csrf=`);
    expect(page.body).toContain('Portrait 9:16');
    expect(page.body).toContain(`href="/projects/${id}/play"`);
    expect(page.body).toContain(`href="/projects/${id}/share"`);
    expect(page.body).toContain(`href="/projects/${id}/export"`);
    expect(page.body).toContain(`action="/projects/${id}/music?_csrf=`);
    expect(page.body).toContain('<script type="module" src="/assets/js/upload.js"></script>');
  });

  it('asks for sign-in first', async () => {
    const res = await t.app.inject('/projects');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fprojects');
  });
});

describe('create, rename, delete', () => {
  it('creates with the default ratio offered, and refuses bad input with a 400 and no row', async () => {
    const { b, user } = await signedIn();
    const tooLong = await b.post('/projects', { title: 'x'.repeat(121), ratio: '1280:720' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('120 characters');
    const empty = await b.post('/projects', { title: '   ', ratio: '1280:720' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Give your project a name.');
    const badRatio = await b.post('/projects', { title: 'Hello', ratio: '4:3' });
    expect(badRatio.statusCode).toBe(400);
    expect(badRatio.body).toContain('Choose one of the offered shapes.');
    expect(await t.ctx.db.selectFrom('projects').where('user_id', '=', user.id).selectAll().execute()).toHaveLength(0);

    const ok = await b.post('/projects', { title: '  Road   trip ', ratio: '960:960' });
    expect(ok.statusCode).toBe(303);
    const row = await t.ctx.db.selectFrom('projects').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: 'Road trip', ratio: '960:960', status: 'in_progress' });

    // A title alone (the design's POST /projects) takes the admin's default shape.
    const titleOnly = await b.post('/projects', { title: 'Just a name' });
    expect(titleOnly.statusCode).toBe(303);
    const made = await t.ctx.db.selectFrom('projects').select('ratio').where('title', '=', 'Just a name').executeTakeFirstOrThrow();
    expect(made.ratio).toBe((await getSettings(t.ctx.db)).defaultRatio);
  });

  it('renames with a redirect, or returns the title block to htmx', async () => {
    const { b, user } = await signedIn();
    const p = await createProject(t.ctx.db, user.id, { title: 'Before' });
    const res = await b.post(`/projects/${p.id}`, { title: 'After' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${p.id}`);
    expect((await b.get(`/projects/${p.id}`)).body).toContain('<h1>After</h1>');

    const hx = await b.post(`/projects/${p.id}`, { title: 'Via htmx' }, { 'hx-request': 'true' });
    expect(hx.statusCode).toBe(200);
    expect(hx.body).toContain('id="project-title"');
    expect(hx.body).not.toContain('<html');
    const bad = await b.post(`/projects/${p.id}`, { title: 'y'.repeat(5000) }, { 'hx-request': 'true' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('120 characters');
    const badFull = await b.post(`/projects/${p.id}`, { title: '' });
    expect(badFull.statusCode).toBe(400);
    const row = await t.ctx.db.selectFrom('projects').select('title').where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row.title).toBe('Via htmx');
  });

  it('deletes the row, its clips and every object under its prefixes, and nothing of other projects', async () => {
    const { b, user } = await signedIn();
    const p = await createProject(t.ctx.db, user.id, { title: 'Doomed' });
    const other = await createProject(t.ctx.db, user.id, { title: 'Keeper' });
    const clip = await createClip(t.ctx.db, { userId: user.id, projectId: p.id, storage: t.ctx.storage });
    const keep = await createClip(t.ctx.db, { userId: user.id, projectId: other.id, storage: t.ctx.storage });
    const keys = [
      clip.image_key,
      clip.thumb_key!,
      storageKeys.clip(user.id, p.id, clip.id),
      storageKeys.music(user.id, p.id, 'song.mp3'),
      storageKeys.export(user.id, p.id, 'e1'),
    ];
    for (const k of keys.slice(2)) await t.ctx.storage.put(k, Buffer.from('x'), 'application/octet-stream');
    for (const k of keys) expect(await t.ctx.storage.size(k)).not.toBeNull();

    const page = await b.get(`/projects/${p.id}`);
    expect(decoded(page.body)).toContain('data-confirm="Delete “Doomed”');
    const res = await b.post(`/projects/${p.id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/projects');
    expect(decoded((await b.get('/projects')).body)).toContain('Deleted “Doomed”');

    expect(await t.ctx.db.selectFrom('projects').select('id').where('id', '=', p.id).executeTakeFirst()).toBeUndefined();
    expect(await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', p.id).execute()).toHaveLength(0);
    for (const k of keys) expect(await t.ctx.storage.size(k)).toBeNull();
    expect(await t.ctx.storage.size(keep.image_key)).not.toBeNull();
    expect(await t.ctx.storage.size(keep.thumb_key!)).not.toBeNull();
  });
});

describe('dashboard', () => {
  it('lists projects newest first with counts, cover, status and last change', async () => {
    const { b, user } = await signedIn();
    const older = await createProject(t.ctx.db, user.id, { title: 'Older one' });
    await t.ctx.db.updateTable('projects').set({ created_at: new Date(Date.now() - 3 * 86400_000), updated_at: new Date(Date.now() - 3 * 86400_000) }).where('id', '=', older.id).execute();
    const newer = await createProject(t.ctx.db, user.id, { title: 'Newer one' });
    const second = await createClip(t.ctx.db, { userId: user.id, projectId: newer.id, position: 1, approved: true, storage: t.ctx.storage });
    const first = await createClip(t.ctx.db, { userId: user.id, projectId: newer.id, position: 0, approved: true, storage: t.ctx.storage });
    await createClip(t.ctx.db, { userId: user.id, projectId: newer.id, position: 2, status: 'generating' });
    const someoneElse = await createUser(t.ctx.db);
    await createProject(t.ctx.db, someoneElse.id, { title: 'Not mine' });

    const res = await b.get('/projects');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).not.toContain('Not mine');
    expect(html.indexOf('Newer one')).toBeLessThan(html.indexOf('Older one'));
    const newerCard = html.slice(html.indexOf(`data-project-id="${newer.id}"`), html.indexOf(`data-project-id="${older.id}"`));
    expect(newerCard).toContain('data-clip-count="3"');
    expect(newerCard).toContain('data-approved-count="2"');
    expect(newerCard).toContain('1 generating');
    expect(newerCard).toContain('updated just now');
    expect(newerCard).toContain(`/media/${first.thumb_key}?`);
    expect(newerCard).not.toContain(second.thumb_key!);
    expect(newerCard).toContain('loading="lazy"');
    const olderCard = html.slice(html.indexOf(`data-project-id="${older.id}"`));
    expect(olderCard).toContain('data-clip-count="0"');
    expect(olderCard).toContain('updated 3 days ago');
    expect(olderCard).toContain('In progress');

    const cover = /src="(\/media\/[^"]+)"/.exec(newerCard)![1]!.replaceAll('&amp;', '&');
    const img = await t.app.inject(cover);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toContain('image/webp');
  });
});
