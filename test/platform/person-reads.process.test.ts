import { attachTake } from '../factories/takes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, startWebProcess, stopProcesses } from '../setup/web-processes.js';

// Two real web processes (as `npm start` runs them) keep what a person's pages read (their project
// list, a project, its clips, a clip) in memory for a few seconds (src/platform/person-reads.ts).
// A change made on either process, or by a third one (a worker), shows on the very next page
// asked of either.

let t: TestContext;
const children: ChildProcess[] = [];
let webA = '';
let webB = '';

beforeAll(async () => {
  t = await createTestContext();
  [webA, webB] = await Promise.all([startWebProcess(t.env, children), startWebProcess(t.env, children)]);
}, 90_000);
afterAll(async () => {
  await stopProcesses(children);
  await t?.close();
}, 60_000);

async function signedIn(email: string) {
  const browser = new HttpBrowser();
  await browser.signInDev(webA, email, 'Reads');
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  return { browser, user };
}

/** Asks both processes twice, so what follows is served from what they kept. */
async function seenTwice(browser: HttpBrowser, path: string, headers: Record<string, string> = {}) {
  for (const web of [webA, webB, webA, webB]) expect((await browser.fetch(`${web}${path}`, { headers })).status).toBe(200);
}

async function bodies(browser: HttpBrowser, path: string, headers: Record<string, string> = {}) {
  return Promise.all([webA, webB].map(async (web) => (await browser.fetch(`${web}${path}`, { headers })).text()));
}

async function projectWithClip(userId: string, title: string) {
  const project = await t.ctx.db.insertInto('projects').values({ user_id: userId, title, ratio: '1280:720' }).returningAll().executeTakeFirstOrThrow();
  const clip = await t.ctx.db
    .insertInto('clips')
    .values({ project_id: project.id, user_id: userId, image_key: `images/${userId}/${project.id}/a.jpg`, status: 'generating', progress: 0.3, duration_s: 5, ratio: '1280:720', position: 1, prompt: 'A slow pan' })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { project, clip };
}

describe('what pages read, kept by two web processes', () => {
  it('a project made and renamed on one: the next dashboard on either shows it', async () => {
    const { browser } = await signedIn('reads-dashboard@example.com');
    await seenTwice(browser, '/projects');
    await browser.page(`${webA}/projects`);
    const made = await browser.post(`${webA}/projects`, { title: 'Harbour at dawn', ratio: '1280:720' });
    expect(made.status).toBe(303);
    for (const body of await bodies(browser, '/projects')) expect(body).toContain('Harbour at dawn');
    const projectPath = made.headers.get('location')!;
    await seenTwice(browser, projectPath);
    await browser.page(`${webB}${projectPath}`);
    expect((await browser.post(`${webB}${projectPath}`, { title: 'Harbour at dusk' })).status).toBe(303);
    for (const body of await bodies(browser, '/projects')) expect(body).toContain('Harbour at dusk');
    for (const body of await bodies(browser, projectPath)) expect(body).toContain('Harbour at dusk');
  }, 60_000);

  it('a clip a worker finishes (a third process): the next card and page on either show it', async () => {
    const { browser, user } = await signedIn('reads-worker@example.com');
    const { project, clip } = await projectWithClip(user.id, 'Night market');
    const cardPath = `/clips/${clip.id}`;
    const fragment = { 'hx-request': 'true' };
    await seenTwice(browser, cardPath, fragment);
    await seenTwice(browser, `/projects/${project.id}`);
    for (const body of await bodies(browser, cardPath, fragment)) expect(body).toContain('data-status="generating"');
    // What the worker does: record the result (the database's change feed tells the web processes).
    await t.ctx.db.updateTable('clips').set({ status: 'ready', progress: 1 }).where('id', '=', clip.id).execute();
    await attachTake(t.ctx.db, clip, `clips/${user.id}/${project.id}/a.mp4`);
    for (const body of await bodies(browser, cardPath, fragment)) expect(body).toContain('data-status="ready"');
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).toMatch(new RegExp(`data-clip-id="${clip.id}" data-status="ready"`));
  }, 60_000);

  it('a clip approved on one: the next card and page on the other show it', async () => {
    const { browser, user } = await signedIn('reads-approve@example.com');
    const { project, clip } = await projectWithClip(user.id, 'Rooftops');
    await t.ctx.db.updateTable('clips').set({ status: 'ready', progress: 1 }).where('id', '=', clip.id).execute();
    await attachTake(t.ctx.db, clip, `clips/${user.id}/${project.id}/a.mp4`);
    const fragment = { 'hx-request': 'true' };
    await seenTwice(browser, `/clips/${clip.id}`, fragment);
    await seenTwice(browser, `/projects/${project.id}`);
    await browser.page(`${webA}/projects/${project.id}`);
    expect((await browser.post(`${webA}/clips/${clip.id}/approve`)).status).toBe(303);
    for (const body of await bodies(browser, `/clips/${clip.id}`, fragment)) expect(body).toContain('is-approved');
    for (const body of await bodies(browser, `/projects/${project.id}`)) expect(body).toContain('1 approved');
  }, 60_000);
});
