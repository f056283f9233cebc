import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { LIMIT_FIELDS } from '../../src/admin/settings/service.js';
import { buildApp } from '../../src/app.js';
import { closeContext, createContext, type AppContext } from '../../src/platform/context.js';
import { DEFAULT_SETTINGS } from '../../src/settings/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { createWatchableClip } from '../factories/projects.js';
import { uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { makeTones } from '../music/fixtures.js';
import { retryAfterS, setLimits } from './helpers.js';

// Per-person hourly limits, counted in Redis: 429, a Retry-After, and a page (or an htmx fragment)
// that says when to try again. Small limits are set through the admin settings.

let t: TestApp;
let ctx2: AppContext;
let app2: FastifyInstance;
let tones: Awaited<ReturnType<typeof makeTones>>;

beforeAll(async () => {
  tones = await makeTones(1.5);
  t = await createTestApp();
  // A second web process: its own connections to the same database and Redis.
  ctx2 = await createContext(t.ctx.config, { skipMigrate: true, storage: t.ctx.storage });
  app2 = await buildApp(ctx2);
  await app2.ready();
});
afterAll(async () => {
  await app2?.close();
  if (ctx2) await closeContext(ctx2);
  await tones?.cleanup();
  await t?.close();
});

afterEach(async () => {
  await setLimits(t.ctx.db, Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, DEFAULT_SETTINGS[f.key]])));
});

function expectRefusal(res: { statusCode: number; headers: Record<string, unknown>; body: string }, limitText: string) {
  expect(res.statusCode).toBe(429);
  const wait = retryAfterS(res.headers);
  expect(res.body).toContain(`You have reached the limit of ${limitText} an hour.`);
  const when = /Please try again in (\d+) (second|minute|hour)s?\./.exec(res.body);
  expect(when, 'says when to try again').toBeTruthy();
  const said = Number(when![1]) * { second: 1, minute: 60, hour: 3600 }[when![2] as 'second' | 'minute' | 'hour'];
  expect(Math.abs(said - wait)).toBeLessThan(when![2] === 'hour' ? 1800 : 60);
}

/** The same person's browser on the second web process. */
function sameBrowserOn(app: FastifyInstance, b: TestBrowser): TestBrowser {
  const other = new TestBrowser(app);
  other.cookies = new Map(b.cookies);
  other.csrf = b.csrf;
  return other;
}

describe('hourly limits per person', () => {
  it('image uploads: the next one past the limit is 429 with Retry-After, as a page and as an htmx fragment; nothing is stored', async () => {
    await setLimits(t.ctx.db, { imageUploadsPerHour: 2 });
    const { user, project, b } = await creator(t, 10);
    expect((await uploadClip(b, project.id)).statusCode).toBe(303);
    expect((await uploadClip(b, project.id)).statusCode).toBe(303);
    const page = await uploadClip(b, project.id);
    expectRefusal(page, '2 image uploads');
    expect(page.body).toContain('<html');
    const frag = await uploadClip(b, project.id, { htmx: true });
    expectRefusal(frag, '2 image uploads');
    expect(frag.body).not.toContain('<html');
    expect(frag.body).toContain('data-error-status="429"');
    const clips = await t.ctx.db.selectFrom('clips').select('id').where('user_id', '=', user.id).execute();
    expect(clips).toHaveLength(2);
    const stored = await readdir(path.join(t.dataDir, 'objects', 'images', user.id), { recursive: true, withFileTypes: true });
    expect(stored.filter((e) => e.isFile())).toHaveLength(6); // for each of two photos: the frame, its thumbnail and the kept original
    // Another person is not affected.
    const other = await creator(t, 1);
    expect((await uploadClip(other.b, other.project.id)).statusCode).toBe(303);
  });

  it('two web processes sharing Redis share the count', async () => {
    await setLimits(t.ctx.db, { sharesPerHour: 2 });
    const { user, project, b } = await creator(t, 0);
    await createWatchableClip(t.ctx.db, { userId: user.id, projectId: project.id }); // an empty film cannot be shared
    const b2 = sameBrowserOn(app2, b);
    expect((await b.post(`/projects/${project.id}/share`)).statusCode).toBe(303);
    expect((await b2.post(`/projects/${project.id}/share`)).statusCode).toBe(303);
    expectRefusal(await b.post(`/projects/${project.id}/share`), '2 shares');
    expectRefusal(await b2.post(`/projects/${project.id}/share`), '2 shares');
  });

  it('music uploads past the limit are refused, and the track and its object stay as they were', async () => {
    await setLimits(t.ctx.db, { musicUploadsPerHour: 1 });
    const { user, project, b } = await creator(t, 0);
    const send = () => b.postMultipart(`/projects/${project.id}/music`, [{ name: 'music', value: tones.files.mp3, filename: 'a.mp3', contentType: 'audio/mpeg' }]);
    expect((await send()).statusCode).toBe(303);
    const first = await t.ctx.db.selectFrom('projects').select('music_key').where('id', '=', project.id).executeTakeFirstOrThrow();
    expectRefusal(await send(), '1 music upload');
    const after = await t.ctx.db.selectFrom('projects').select('music_key').where('id', '=', project.id).executeTakeFirstOrThrow();
    expect(after.music_key).toBe(first.music_key);
    expect(await readdir(path.join(t.dataDir, 'objects', 'music', user.id, project.id))).toHaveLength(1);
  });

  it('beat analysis counts minutes of audio: a track past the allowance is refused before it is stored or queued', async () => {
    await setLimits(t.ctx.db, { analysisMinutesPerHour: 1 });
    const { user, project, b } = await creator(t, 0);
    const second = await createProject(t.ctx.db, user.id, { title: 'Second' });
    const send = (id: string) => b.postMultipart(`/projects/${id}/music`, [{ name: 'music', value: tones.files.mp3, filename: 'a.mp3', contentType: 'audio/mpeg' }]);
    expect((await send(project.id)).statusCode).toBe(303); // 1.5 s counts as one started minute
    expectRefusal(await send(second.id), '1 minute of music analysed');
    const row = await t.ctx.db.selectFrom('projects').select('music_key').where('id', '=', second.id).executeTakeFirstOrThrow();
    expect(row.music_key).toBeNull();
    expect(await t.ctx.db.selectFrom('music_analyses').select('project_id').where('project_id', '=', second.id).execute()).toEqual([]);
  });

  it('exports: the export page says why, with a 429 and Retry-After', async () => {
    await setLimits(t.ctx.db, { exportsPerHour: 1 });
    const { project, b } = await creator(t, 0);
    const first = await b.post(`/projects/${project.id}/export`);
    expect(first.statusCode).not.toBe(429); // refused for another reason (nothing approved), but counted
    const res = await b.post(`/projects/${project.id}/export`);
    expectRefusal(res, '1 export');
    const frag = await b.post(`/projects/${project.id}/export`, {}, { 'hx-request': 'true' });
    expectRefusal(frag, '1 export');
    expect(frag.body).not.toContain('<html');
  });

  it('sign-in attempts: per account, and (more loosely) per address', async () => {
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 2, signInsPerHourPerAddress: 5 });
    const addressKey = `${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-address:127.0.0.1`;
    await t.ctx.redis.del(addressKey); // the earlier tests' sign-ins came from this address too
    const user = await createUser(t.ctx.db);
    const tryDev = (email: string) => new TestBrowser(t.app).post('/auth/dev', { email, name: 'X', next: '/projects' });
    expect((await tryDev(user.email)).statusCode).toBe(303);
    expect((await tryDev(user.email)).statusCode).toBe(303);
    expectRefusal(await tryDev(user.email), '2 sign-in attempts for one account');
    // Every attempt counts for the address, refused ones too: two other emails pass, then it is refused.
    expect((await tryDev(`a-${user.email}`)).statusCode).toBe(303);
    expect((await tryDev(`b-${user.email}`)).statusCode).toBe(303);
    expectRefusal(await tryDev(`c-${user.email}`), '5 sign-in attempts from one address');
    // Later tests sign in from this address too.
    await t.ctx.redis.del(addressKey);
  });
});
