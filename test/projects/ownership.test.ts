import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { createClip } from '../factories/projects.js';
import { registeredRoutes } from '../setup/route-tree.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Every route the design lists that names a project or a clip (some are built by other features). */
const DESIGN_ROUTES = [
  'GET /projects/:id',
  'POST /projects/:id',
  'POST /projects/:id/delete',
  'POST /projects/:id/clips',
  'POST /projects/:id/order',
  'POST /projects/:id/music',
  'POST /projects/:id/music/delete',
  'GET /projects/:id/play',
  'POST /projects/:id/share',
  'POST /projects/:id/unshare',
  'POST /projects/:id/export',
  'GET /projects/:id/export',
  'GET /clips/:id',
  'POST /clips/:id/approve',
  'POST /clips/:id/unapprove',
  'POST /clips/:id/regenerate',
  'POST /clips/:id/cancel',
  'POST /clips/:id/delete',
];

/** The routes actually registered under /projects/:id and /clips/:id, read from Fastify's route tree. */
const ownedRoutes = (tree: string) => registeredRoutes(tree).filter((r) => /^[A-Z]+ \/(projects|clips)\/:id(\/|$)/.test(r));

describe('ownership', () => {
  it('answers 404 to a second user on every project, music and clip route, for real, missing and malformed ids alike', async () => {
    const owner = await createUser(t.ctx.db, { credits: 5 });
    const project = await createProject(t.ctx.db, owner.id, { title: 'Owner only' });
    const clip = await createClip(t.ctx.db, { userId: owner.id, projectId: project.id, storage: t.ctx.storage });
    await t.ctx.db.updateTable('projects').set({ music_key: `music/${owner.id}/${project.id}/a.mp3`, music_name: 'Song', music_duration_s: 10 }).where('id', '=', project.id).execute();
    const before = await t.ctx.db.selectFrom('projects').selectAll().where('id', '=', project.id).executeTakeFirstOrThrow();

    const intruder = await createUser(t.ctx.db, { credits: 5 });
    const b = new TestBrowser(t.app);
    await b.signInDev(intruder.email);
    await b.get('/');

    const discovered = ownedRoutes(t.app.printRoutes({ commonPrefix: false }));
    expect(discovered).toEqual(expect.arrayContaining(['GET /projects/:id', 'POST /projects/:id', 'POST /projects/:id/delete', 'POST /projects/:id/music', 'POST /projects/:id/music/delete']));
    const routes = [...new Set([...DESIGN_ROUTES, ...discovered])];
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#fff' } }).png().toBuffer();

    const failures: string[] = [];
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [string, string];
      const realId = pattern.startsWith('/clips') ? clip.id : project.id;
      for (const id of [realId, randomUUID(), 'not-a-uuid', "1'%20or%20'1'='1"]) {
        const url = pattern.replace(':id', id);
        let res;
        if (method === 'GET') res = await b.get(url);
        else if (/\/(music|clips)$/.test(pattern)) {
          const field = pattern.endsWith('/music') ? 'music' : 'image';
          res = await b.postMultipart(url, [
            { name: 'prompt', value: 'mine now' },
            { name: field, value: png, filename: 'x.png', contentType: 'image/png' },
          ]);
        } else res = await b.post(url, { title: 'Hijacked', clip_ids: [clip.id], duration: '5' });
        if (res.statusCode !== 404) failures.push(`${method} ${url} → ${res.statusCode}`);
        else if (!res.body.includes('Page not found')) failures.push(`${method} ${url} → 404 without the not-found page`);
      }
    }
    expect(failures).toEqual([]);

    const after = await t.ctx.db.selectFrom('projects').selectAll().where('id', '=', project.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    const clipAfter = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(clipAfter).toEqual(clip);
    expect(await t.ctx.storage.size(clip.image_key)).not.toBeNull();
    expect(await t.ctx.db.selectFrom('clips').select('id').where('user_id', '=', intruder.id).execute()).toHaveLength(0);
  });

  it('keeps other people’s projects off the dashboard', async () => {
    const owner = await createUser(t.ctx.db);
    await createProject(t.ctx.db, owner.id, { title: 'Secret diary' });
    const other = await createUser(t.ctx.db);
    const b = new TestBrowser(t.app);
    await b.signInDev(other.email);
    const res = await b.get('/projects');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('Secret diary');
  });
});
