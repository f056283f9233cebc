import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loggableUrl } from '../../src/platform/logger.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { testImage } from '../factories/clips.js';
import { multipartBody } from '../setup/multipart.js';
import { renderTemplate } from '../setup/view.js';

// Issue 16, item 7: request logs keep paths, never query values. A no-JavaScript upload still
// carries its CSRF token in the form's action URL (its multipart body is read only after the
// CSRF check), and a signed /media link carries its signature: neither may reach the log.

let tc: TestContext;
let app: FastifyInstance;
let log = '';

beforeAll(async () => {
  tc = await createTestContext({ LOG_LEVEL: 'info' });
  const sink = new Writable({
    write(chunk, _enc, done) {
      log += String(chunk);
      done();
    },
  });
  app = await buildApp(tc.ctx, { logStream: sink });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await tc?.close();
});

describe('request logs', () => {
  it('keep no CSRF token from an upload and no signature from a /media link', async () => {
    const user = await createUser(tc.ctx.db, { credits: 5 });
    const project = await createProject(tc.ctx.db, user.id);
    const b = new TestBrowser(app);
    await b.signInDev(user.email);
    const page = await b.get(`/projects/${project.id}`);
    const action = /<form class="upload-form[^>]*action="([^"]+)"/.exec(page.body)![1]!.replace(/&amp;/g, '&');
    const token = new URL(action, 'http://x').searchParams.get('_csrf')!;
    expect(token.length).toBeGreaterThan(10);

    // The no-JavaScript post: token only in the URL, as the form's action carries it.
    const body = multipartBody([
      { name: '_csrf', value: token },
      { name: 'image', value: await testImage(), filename: 'photo.png', contentType: 'image/png' },
    ]);
    const upload = await app.inject({ method: 'POST', url: action, headers: { cookie: b.cookieHeader, 'content-type': body.contentType }, payload: body.payload });
    expect(upload.statusCode).toBe(303);

    const clip = await tc.ctx.db.selectFrom('clips').select(['image_key']).where('project_id', '=', project.id).executeTakeFirstOrThrow();
    const signed = new URL(await tc.ctx.storage.signedUrl(clip.image_key), 'http://localhost');
    const sig = signed.searchParams.get('sig')!;
    const media = await app.inject({ url: signed.pathname + signed.search });
    expect(media.statusCode).toBe(200);

    // The htmx form posts to the URL without the token (htmx sends it as x-csrf-token).
    const partial = await renderTemplate(app, 'clips/_upload_form', { project: { id: 'p1' }, csrfToken: 'tok', settings: { allowedDurations: [5], defaultDuration: 5, creditsPer5s: 1 }, balance: 9 });
    expect(partial).toContain('hx-post="/projects/p1/clips"');
    expect(partial).toContain('action="/projects/p1/clips?_csrf=tok"');

    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as { req?: { url?: string } });
    const urls = lines.map((l) => l.req?.url).filter(Boolean);
    expect(urls).toContain(`/projects/${project.id}/clips?_csrf=[redacted]`);
    expect(urls.some((u) => u!.startsWith(`${signed.pathname}?exp=[redacted]&sig=[redacted]`))).toBe(true);
    expect(log).not.toContain(token);
    expect(log).not.toContain(encodeURIComponent(token));
    expect(log).not.toContain(sig);
  });
});

describe('loggableUrl', () => {
  it.each([
    ['/projects', '/projects'],
    ['/media/a/b.png?exp=1&sig=abc&dl=x.png', '/media/a/b.png?exp=[redacted]&sig=[redacted]&dl=[redacted]'],
    ['/auth/google/callback?code=4/abc&state=xyz', '/auth/google/callback?code=[redacted]&state=[redacted]'],
    ['/x?X-Amz-Signature=s&token', '/x?X-Amz-Signature=[redacted]&token=[redacted]'],
    ['/x?', '/x?'],
  ])('%s → %s', (input, expected) => {
    expect(loggableUrl(input)).toBe(expected);
  });
});
