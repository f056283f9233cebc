import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject } from '../factories.js';
import { createClip } from '../factories/clips.js';

// The project page's clip cards are rendered once per state and kept (src/clips/card-html.ts),
// with the browser's CSRF token remembered (src/platform/csrf-token.ts): what the page shows and
// the forms it carries must be exactly as if rendered afresh.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function creatorWithClip(email: string) {
  const b = new TestBrowser(t.app);
  await b.signInDev(email);
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const project = await createProject(t.ctx.db, user.id, { title: 'Kept cards' });
  const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', video: Buffer.from('v'), credits: 0 });
  return { b, user, project, clip };
}

const tokensIn = (html: string) => new Set([...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]));

describe('kept clip cards', () => {
  it('carry the page’s one CSRF token, which works, also for a browser that had no CSRF secret yet', async () => {
    const { b, project, clip } = await creatorWithClip('kept-token@example.com');
    b.cookies.delete('_csrf');
    const res = await b.get(`/projects/${project.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.cookies.filter((c) => c.name === '_csrf')).toHaveLength(1);
    const tokens = tokensIn(res.body);
    expect(tokens.size).toBe(1);
    expect(res.body).toContain(`<meta name="csrf-token" content="${[...tokens][0]}">`);
    const approve = await b.post(`/clips/${clip.id}/approve`, { _csrf: [...tokens][0]! });
    expect(approve.statusCode).toBe(303);
    // Pages from then on carry the token remembered for the secret, cards kept, and show the change.
    const again = await b.get(`/projects/${project.id}`);
    expect(tokensIn(again.body).size).toBe(1);
    expect(again.body).toMatch(/class="clip-card is-ready is-approved"/);
    const third = await b.get(`/projects/${project.id}`);
    expect(tokensIn(third.body)).toEqual(tokensIn(again.body));
    expect((await b.post(`/clips/${clip.id}/unapprove`, { _csrf: [...tokensIn(third.body)][0]! })).statusCode).toBe(303);
  });

  it('are not shared between browsers: each person’s page carries their own token', async () => {
    const one = await creatorWithClip('kept-one@example.com');
    const two = await creatorWithClip('kept-two@example.com');
    const a = tokensIn((await one.b.get(`/projects/${one.project.id}`)).body);
    const b = tokensIn((await two.b.get(`/projects/${two.project.id}`)).body);
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
    expect([...a][0]).not.toBe([...b][0]);
    // Someone else's token is refused.
    expect((await two.b.post(`/clips/${two.clip.id}/approve`, { _csrf: [...a][0]! })).statusCode).toBe(403);
  });
});
