import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { spoolDir } from '../../src/storage/spool.js';
import { LocalStorage } from '../../src/storage/index.js';
import { makeTones, type AudioFormat } from './fixtures.js';
import { waitFor } from '../setup/wait.js';

const MAX = 100_000;
let t: TestApp;
let tones: Awaited<ReturnType<typeof makeTones>>;
let tmp: string;

beforeAll(async () => {
  tones = await makeTones();
  t = await createTestApp({ MAX_MUSIC_BYTES: String(MAX) });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'echoes-music-test-'));
  vi.stubEnv('TMPDIR', tmp);
});
afterAll(async () => {
  vi.unstubAllEnvs(); // TMPDIR back as it was (unset stays unset: files after this one share the process)
  await rm(tmp, { recursive: true, force: true });
  await tones?.cleanup();
  await t?.close();
});

async function setup() {
  const user = await createUser(t.ctx.db);
  const project = await createProject(t.ctx.db, user.id, { title: 'With music' });
  const b = new TestBrowser(t.app);
  await b.signInDev(user.email);
  await b.get('/');
  return { b, user, project };
}

function upload(b: TestBrowser, projectId: string, value: Buffer, filename: string, contentType = 'audio/mpeg') {
  return b.postMultipart(`/projects/${projectId}/music`, [{ name: 'music', value, filename, contentType }]);
}

const row = (id: string) => t.ctx.db.selectFrom('projects').select(['music_key', 'music_name', 'music_duration_s']).where('id', '=', id).executeTakeFirstOrThrow();

/** Every object under the project's music prefix (local driver: files on disk). */
async function musicObjects(userId: string, projectId: string): Promise<string[]> {
  const storage = t.ctx.storage as LocalStorage;
  const dir = path.join(storage.root, 'music', userId, projectId);
  return (await readdir(dir).catch(() => [])).map((f) => `music/${userId}/${projectId}/${f}`);
}

async function expectNothingLeft(userId: string, projectId: string, keptKey: string | null) {
  expect(await musicObjects(userId, projectId)).toEqual(keptKey ? [keptKey] : []);
  // A refused upload's temp file goes once its request stream closes, which can be just after the answer.
  const spooled = () => readdir(spoolDir()).catch(() => [] as string[]);
  await waitFor(async () => (await spooled()).length === 0, 'the refused upload\'s temp file to go', 10_000, 50);
}

describe('music upload', () => {
  it.each(['mp3', 'wav', 'ogg', 'm4a'] as AudioFormat[])('accepts %s, reads its length, stores it privately and plays it on the page', async (fmt) => {
    const { b, user, project } = await setup();
    const res = await upload(b, project.id, tones.files[fmt], `Sunrise Tone.${fmt}`, 'application/octet-stream');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${project.id}#music`);
    const r = await row(project.id);
    expect(r.music_key).toMatch(new RegExp(`^music/${user.id}/${project.id}/[0-9a-f-]{36}\\.${fmt}$`));
    expect(r.music_name).toBe('Sunrise Tone');
    expect(r.music_duration_s).toBeGreaterThan(1.3);
    expect(r.music_duration_s).toBeLessThan(1.7);
    expect(await t.ctx.storage.size(r.music_key!)).toBe(tones.files[fmt].length);

    const page = await b.get(`/projects/${project.id}`);
    expect(page.body).toContain('Sunrise Tone');
    expect(page.body).toContain('0:01'); // about 1.5 s, rounded down like every clock
    const src = /<audio[^>]+src="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    expect(src).not.toContain('music/' + user.id + '/' + project.id + '/' + 'x');
    const media = await t.app.inject(src);
    expect(media.statusCode).toBe(200);
    expect(media.rawPayload.length).toBe(tones.files[fmt].length);
    await expectNothingLeft(user.id, project.id, r.music_key);
  });

  it('replacing a track stores the new one first, then deletes the old object; removing deletes it too', async () => {
    const { b, user, project } = await setup();
    await upload(b, project.id, tones.files.mp3, 'first.mp3');
    const first = (await row(project.id)).music_key!;
    const res = await upload(b, project.id, tones.files.ogg, 'second.ogg');
    expect(res.statusCode).toBe(303);
    const second = (await row(project.id)).music_key!;
    expect(second).not.toBe(first);
    expect(await t.ctx.storage.size(first)).toBeNull();
    await expectNothingLeft(user.id, project.id, second);

    const removed = await b.post(`/projects/${project.id}/music/delete`);
    expect(removed.statusCode).toBe(303);
    expect(await row(project.id)).toEqual({ music_key: null, music_name: null, music_duration_s: null });
    await expectNothingLeft(user.id, project.id, null);
    expect((await b.get(`/projects/${project.id}`)).body).toContain('Add a song');
  });
});

/** The same M4A with the bytes of its sound (the mdat box) overwritten: it parses, but will not decode. */
function scrambleMdat(m4a: Buffer): Buffer {
  const out = Buffer.from(m4a);
  const at = out.indexOf('mdat');
  const end = at - 4 + out.readUInt32BE(at - 4); // the box's size comes just before its name
  let seed = 7;
  for (let i = at + 8; i < end; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = seed & 0xff;
  }
  return out;
}

describe('music refusals leave nothing behind', () => {
  const png = () => sharp({ create: { width: 20, height: 20, channels: 3, background: '#fff' } }).png().toBuffer();
  const cases: Array<[string, () => Promise<Buffer>, RegExp]> = [
    ['an empty file', async () => Buffer.alloc(0), /empty/i],
    ['a text file named .mp3', async () => Buffer.from('these are my lyrics\n'.repeat(20)), /not an audio file/i],
    ['an image named .mp3', png, /\.png file/i],
    ['a corrupt file with an ID3 header', async () => Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0, 0, 0, 0, 10]), Buffer.alloc(4000, 7)]), /not an audio file/i],
    ['a truncated MP3', async () => tones.files.mp3.subarray(0, 600), /incomplete|damaged/i],
    ['an M4A with sound scrambled under intact tags', async () => scrambleMdat(tones.files.m4a), /cannot be played/i],
  ];

  it.each(cases)('refuses %s with a clear 4xx', async (_name, make, message) => {
    const { b, user, project } = await setup();
    await upload(b, project.id, tones.files.wav, 'keep.wav');
    const before = await row(project.id);
    const res = await upload(b, project.id, await make(), 'song.mp3');
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).toMatch(message);
    expect(await row(project.id)).toEqual(before);
    await expectNothingLeft(user.id, project.id, before.music_key);
  });

  it('refuses a file over MAX_MUSIC_BYTES with a 413', async () => {
    const { b, user, project } = await setup();
    const big = await tones.tone('wav', 3, 22050);
    expect(big.length).toBeGreaterThan(MAX);
    const res = await upload(b, project.id, big, 'long.wav');
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('too large');
    expect((await row(project.id)).music_key).toBeNull();
    await expectNothingLeft(user.id, project.id, null);
  });

  it('answers the 413 while the body is still arriving, not after it', async () => {
    const { b, user, project } = await setup();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const boundary = 'echoesboundary';
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/projects/${project.id}/music`,
        headers: { cookie: b.cookieHeader, 'x-csrf-token': b.csrf, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(50 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="music"; filename="huge.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`);
      // Twice the limit, then nothing more: the server must answer without waiting for the other 49 MB.
      req.write(Buffer.alloc(2 * MAX, 1));
    });
    expect(status).toBe(413);
    // The half-sent request does not pin a socket on the server once the client has gone.
    const connections = () => new Promise<number>((r) => t.app.server.getConnections((_e, n) => r(n)));
    await expect.poll(connections, { timeout: 5000 }).toBe(0);
    expect((await row(project.id)).music_key).toBeNull();
    await expectNothingLeft(user.id, project.id, null);
  });

  it('refuses a wrong field or a form without a file', async () => {
    const { b, project } = await setup();
    const wrong = await b.postMultipart(`/projects/${project.id}/music`, [{ name: 'image', value: tones.files.mp3, filename: 'a.mp3' }]);
    expect(wrong.statusCode).toBe(400);
    const none = await b.postMultipart(`/projects/${project.id}/music`, [{ name: 'note', value: 'hi' }]);
    expect(none.statusCode).toBe(400);
    const notMultipart = await b.post(`/projects/${project.id}/music`, { music: 'x' });
    expect(notMultipart.statusCode).toBe(400);
  });

  it('when storage fails, says so, keeps the old track and leaves no object or row change', async () => {
    const { b, user, project } = await setup();
    // A file where the project's music folder must go makes the real local driver fail the write.
    const blocker = `music/${user.id}`;
    await t.ctx.storage.put(blocker, Buffer.from('in the way'), 'text/plain');
    const res = await upload(b, project.id, tones.files.mp3, 'song.mp3');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('could not save your track');
    expect(await row(project.id)).toEqual({ music_key: null, music_name: null, music_duration_s: null });
    expect(await readdir(spoolDir()).catch(() => [])).toEqual([]);
    await t.ctx.storage.delete(blocker);
  });
});
