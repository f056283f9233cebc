import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { buildAccountExport, purgeOldAccountExports } from '../../src/account/data-export.js';
import { fullAccount, objectsUnder } from './world.js';
import { forgetEdits } from '../factories/edits.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

function readZip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function readAll(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await t.ctx.storage.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('download my data', () => {
  it('packs every object of the person and their data.json, nothing of anyone else, behind an owner-only link', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);

    const started = await b.post('/account/export', {}, { 'hx-request': 'true' });
    expect(started.statusCode).toBe(200);
    expect(started.body).toContain('data-download-state="queued"');
    expect(started.body).toContain('hx-trigger="every 10s"');
    // One at a time.
    const again = await b.post('/account/export', {}, { 'hx-request': 'true' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already being prepared');

    const row = await t.ctx.db.selectFrom('account_exports').selectAll().where('user_id', '=', w.user.id).executeTakeFirstOrThrow();
    await buildAccountExport(t.ctx, row.id);

    const status = await b.get('/account/export', { 'hx-request': 'true' });
    expect(status.body).toContain('data-download-state="ready"');
    expect(status.body).not.toContain('hx-trigger');
    const link = /href="([^"]+)" data-download-link/.exec(status.body)![1]!.replace(/&amp;/g, '&');
    expect(link).toBe(`/account/export/${row.id}/download`);
    const download = await b.get(link);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    expect(download.headers['cache-control']).toBe('no-store');
    expect(download.headers['content-disposition']).toMatch(/echoes-data-\d{4}-\d{2}-\d{2}\.zip/);

    const files = await readZip(download.rawPayload);
    const mine = (await objectsUnder(t.ctx.storage, w.user.id)).filter((k) => !k.startsWith('downloads/'));
    expect([...files.keys()].sort()).toEqual(['data.json', ...mine].sort());
    for (const key of mine) expect(files.get(key)).toEqual(await readAll(key));
    expect([...files.keys()].some((k) => k.includes(w.other.id))).toBe(false);

    const data = JSON.parse(files.get('data.json')!.toString());
    expect(data.profile).toMatchObject({ email: w.user.email, referral_code: w.user.referral_code });
    expect(data.projects.map((p: { title: string }) => p.title).sort()).toEqual(['Summer reel', 'Winter']);
    expect(data.clips.map((c: { prompt: string }) => c.prompt)).toContain('a slow pan over the sea');
    expect(data.clips.every((c: { image_file: string }) => files.has(c.image_file))).toBe(true);
    expect(data.ledger.length).toBeGreaterThanOrEqual(5);
    expect(data.payments).toHaveLength(1);
    expect(data.shares).toHaveLength(1);
    expect(data.referrals.signups).toHaveLength(1);
    expect(JSON.stringify(data)).not.toContain(w.friend.email);
    expect(JSON.stringify(data)).not.toContain(w.other.email);

    // A week later the ZIP and its row are gone.
    await t.ctx.db.updateTable('account_exports').set({ created_at: new Date(Date.now() - 8 * 86_400_000) }).where('id', '=', row.id).execute();
    expect(await purgeOldAccountExports(t.ctx)).toBe(1);
    expect(await t.ctx.storage.size(row.object_key ?? `downloads/${w.user.id}/${row.id}.zip`)).toBeNull();
    expect((await b.get('/account')).body).toContain('data-download-state="none"');
  });

  // Issue 25, item 14: the link used to be a signed URL that anyone holding it could use for 24 hours.
  it('serves the ZIP only to its owner\'s session: another signed-in person and a stranger get 404', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const owner = new TestBrowser(t.app);
    await owner.signInDev(w.user.email);
    const row = await t.ctx.db.insertInto('account_exports').values({ user_id: w.user.id }).returningAll().executeTakeFirstOrThrow();
    await buildAccountExport(t.ctx, row.id);
    const link = /href="([^"]+)" data-download-link/.exec((await owner.get('/account/export', { 'hx-request': 'true' })).body)![1]!.replace(/&amp;/g, '&');
    expect(link).not.toMatch(/sig=|X-Amz-Signature/i); // nothing in the link itself grants access

    const someoneElse = new TestBrowser(t.app);
    await someoneElse.signInDev(w.other.email);
    const theirs = await someoneElse.get(link);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.headers['content-type']).not.toBe('application/zip');
    const stranger = await t.app.inject({ method: 'GET', url: link });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.headers['content-type']).not.toBe('application/zip');
    expect((await owner.get('/account/export/not-a-uuid/download')).statusCode).toBe(404);

    const mine = await owner.get(link);
    expect(mine.statusCode).toBe(200);
    expect(mine.rawPayload.subarray(0, 2).toString()).toBe('PK');
    // Signed out, the owner's browser is a stranger too.
    await owner.post('/logout');
    expect((await owner.get(link)).statusCode).toBe(404);
  });

  // Issue 30: a deleted clip stays the person's data while the edit log holds it (its objects are kept
  // for Undo until the purge), so the download lists it, marked, with its files; once purged, it is gone.
  it('lists a deleted clip the edit log still holds, marked deleted, with its image and takes in the ZIP; not once purged', async () => {
    const w = await fullAccount(t.ctx.db, t.ctx.storage);
    const b = new TestBrowser(t.app);
    await b.signInDev(w.user.email);
    await t.ctx.db.updateTable('clips').set({ prompt: 'the lighthouse at dusk' }).where('id', '=', w.ready.id).execute();
    expect((await b.post(`/clips/${w.ready.id}/delete`)).statusCode).toBe(303);
    const zipOf = async () => {
      const row = await t.ctx.db.insertInto('account_exports').values({ user_id: w.user.id }).returningAll().executeTakeFirstOrThrow();
      await buildAccountExport(t.ctx, row.id);
      const done = await t.ctx.db.selectFrom('account_exports').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      await t.ctx.db.deleteFrom('account_exports').where('id', '=', row.id).execute();
      return readZip(await readAll(done.object_key!));
    };

    let files = await zipOf();
    let data = JSON.parse(files.get('data.json')!.toString());
    const gone = data.clips.find((c: { id: string }) => c.id === w.ready.id);
    expect(gone).toMatchObject({ project_id: w.project.id, prompt: 'the lighthouse at dusk', status: 'ready', deleted: true, can_be_undone: true });
    expect(Date.parse(gone.deleted_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(files.has(gone.image_file)).toBe(true);
    expect(files.has(gone.video_file)).toBe(true);
    expect(gone.takes).toEqual([expect.objectContaining({ chosen: true, video_file: gone.video_file })]);
    expect(files.get(gone.video_file)!.toString()).toBe('mp4-bytes-1');
    // The clips still in projects are marked too, and no clip is listed twice.
    expect(data.clips.filter((c: { deleted: boolean }) => !c.deleted).length).toBe(2);
    expect(new Set(data.clips.map((c: { id: string }) => c.id)).size).toBe(data.clips.length);

    // Out of the undo window and purged: neither its row nor its files are the person's any more.
    await forgetEdits(t.ctx, w.project.id);
    files = await zipOf();
    data = JSON.parse(files.get('data.json')!.toString());
    expect(data.clips.map((c: { id: string }) => c.id)).not.toContain(w.ready.id);
    expect(files.has(gone.image_file)).toBe(false);
  });
});
