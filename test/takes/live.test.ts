import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { clipIdOf, SseClient } from '../setup/sse.js';
import { createProject, expectLedgerBalanced } from '../factories.js';
import { createClip } from '../factories/clips.js';
import { addTake } from '../factories/takes.js';

// Take changes reach open pages through the change feed (migration 0019's trigger on takes names
// the take's clip): a take made, chosen or deleted anywhere pushes the clip's card, with its new
// "Takes (N)" and data-take, to the project page on another web process.
let t: TestContext;
let a: FastifyInstance;
let b: FastifyInstance;
let base: string;
const open: SseClient[] = [];
beforeAll(async () => {
  t = await createTestContext();
  a = await buildApp(t.ctx);
  b = await buildApp(t.ctx);
  await a.ready();
  base = await b.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const c of open) c.close();
  await a?.close();
  await b?.close();
  await t?.close();
});

describe('takes on the live stream', () => {
  it('pushes the card when a take is added, chosen (on web process A) and deleted', async () => {
    const browser = new TestBrowser(a);
    await browser.signInDev('takes-live@example.com');
    const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', 'takes-live@example.com').executeTakeFirstOrThrow();
    const project = await createProject(t.ctx.db, user.id);
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', credits: 0, video: Buffer.from('v1') });
    const s = await SseClient.open(`${base}/events?project=${project.id}`, { cookie: browser.cookieHeader });
    open.push(s);
    await s.next((m) => m.data.includes('id="credit-balance"'));

    let from = s.messages.length;
    const draft = await addTake(t.ctx.db, t.ctx.storage, clip, { kind: 'draft' });
    let card = await s.next((m) => clipIdOf(m) === clip.id && m.data.includes('Takes (2)'), 5000, from);
    expect(card.data).toContain('data-take="ai"');

    from = s.messages.length;
    expect((await browser.post(`/clips/${clip.id}/takes/${draft.id}/select`, {}, { 'hx-request': 'true' })).statusCode).toBe(200);
    card = await s.next((m) => clipIdOf(m) === clip.id && m.data.includes('data-take="draft"'), 5000, from);

    const [first] = await t.ctx.db.selectFrom('takes').select('id').where('clip_id', '=', clip.id).where('kind', '=', 'ai').execute();
    from = s.messages.length;
    expect((await browser.post(`/clips/${clip.id}/takes/${first!.id}/delete`, {}, { 'hx-request': 'true' })).statusCode).toBe(200);
    card = await s.next((m) => clipIdOf(m) === clip.id && m.data.includes('Takes (1)'), 5000, from);
    expect(card.data).toContain('data-take="draft"');
    await expectLedgerBalanced(t.ctx.db);
  });
});
