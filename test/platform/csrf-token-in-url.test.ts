import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { multipartBody } from '../setup/multipart.js';
import { testImage } from '../factories/clips.js';
import { creator } from '../generation/world.js';

// Issue 25, item 8: a CSRF token in the query string was accepted on every route. It is accepted
// only on the multipart upload forms, whose no-JavaScript version needs it in the action URL.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a CSRF token in the URL', () => {
  it('is refused on an ordinary form', async () => {
    const { b } = await creator(t, 2);
    const res = await t.app.inject({
      method: 'POST',
      url: `/projects?_csrf=${encodeURIComponent(b.csrf)}`,
      headers: { cookie: b.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'title=From+the+URL',
    });
    expect(res.statusCode).toBe(403);
    // The same token in the body is fine.
    expect((await b.post('/projects', { title: 'From the body' })).statusCode).toBe(303);
  });

  it('is accepted on the multipart upload forms', async () => {
    const { project, b } = await creator(t, 2);
    const { payload, contentType } = multipartBody([{ name: 'image', value: await testImage(), filename: 'photo.png', contentType: 'image/png' }]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/projects/${project.id}/clips?_csrf=${encodeURIComponent(b.csrf)}`,
      headers: { cookie: b.cookieHeader, 'content-type': contentType },
      payload,
    });
    expect(res.statusCode).toBe(303);
  });
});
