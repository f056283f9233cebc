import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { keysUnder, startS3 } from '../setup/s3.js';
import { startTcpProxy } from '../setup/tcp-proxy.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { balanceOf, uploadClip } from '../factories/clips.js';
import { makeTones } from '../music/fixtures.js';

// The S3 endpoint goes away while people upload: they get a clear message and a reference, and
// nothing is charged, stored or half written; once it is back, the same upload works.

let s3: Awaited<ReturnType<typeof startS3>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let t: TestApp;
let tones: Awaited<ReturnType<typeof makeTones>>;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startTcpProxy(Number(new URL(s3.env.S3_ENDPOINT).port));
  t = await createTestApp({ ...s3.env, S3_ENDPOINT: `http://127.0.0.1:${proxy.port}` });
  tones = await makeTones();
});
afterAll(async () => {
  await t?.close();
  await proxy?.stop();
  await s3?.stop();
  await tones?.cleanup();
});

const objectsUnder = (prefix: string) => keysUnder(s3.env, prefix);

describe('the storage endpoint fails an upload', () => {
  it('a clip upload says so with a reference, charges nothing and leaves no row or object; it works once storage is back', async () => {
    const user = await createUser(t.ctx.db, { credits: 2 });
    const project = await createProject(t.ctx.db, user.id);
    const b = new TestBrowser(t.app);
    await b.signInDev(user.email);

    proxy.cut();
    try {
      const res = await uploadClip(b, project.id, { htmx: true });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('could not save your image');
      expect(res.body).toMatch(/reference <code>[\w-]+<\/code>/);
    } finally {
      await proxy.restore();
    }
    expect(await balanceOf(t.ctx.db, user.id)).toBe(2);
    expect(await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).execute()).toEqual([]);
    expect(await objectsUnder(`images/${user.id}/`)).toEqual([]);

    const again = await uploadClip(b, project.id);
    expect(again.statusCode).toBe(303);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
    expect(await objectsUnder(`images/${user.id}/`)).toHaveLength(3); // image, thumbnail, uncropped source
    await expectLedgerBalanced(t.ctx.db);
  });

  it('a music upload says so and keeps the project as it was', async () => {
    const user = await createUser(t.ctx.db);
    const project = await createProject(t.ctx.db, user.id);
    const b = new TestBrowser(t.app);
    await b.signInDev(user.email);
    const send = () => b.postMultipart(`/projects/${project.id}/music`, [{ name: 'music', value: tones.files.mp3, filename: 'song.mp3', contentType: 'audio/mpeg' }]);

    proxy.cut();
    try {
      const res = await send();
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('could not save your track');
    } finally {
      await proxy.restore();
    }
    const row = await t.ctx.db.selectFrom('projects').select(['music_key', 'music_name']).where('id', '=', project.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ music_key: null, music_name: null });
    expect(await objectsUnder(`music/${user.id}/`)).toEqual([]);

    expect((await send()).statusCode).toBe(303);
    expect(await objectsUnder(`music/${user.id}/`)).toHaveLength(1);
  });
});
