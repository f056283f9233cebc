import { afterAll, beforeAll, expect, it } from 'vitest';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { ffmpegPath } from '../../src/platform/ffmpeg.js';
import { makeTones } from './fixtures.js';

// FFMPEG_PATH names the one ffmpeg the app runs; the upload's check decodes with it too.
let t: TestApp;
let dir: string;
let tones: Awaited<ReturnType<typeof makeTones>>;
const calls = () => readFile(path.join(dir, 'calls'), 'utf8').catch(() => '');

beforeAll(async () => {
  tones = await makeTones();
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-ffmpeg-path-'));
  const wrapper = path.join(dir, 'ffmpeg');
  await writeFile(wrapper, `#!/bin/sh\necho "$@" >> '${path.join(dir, 'calls')}'\nexec '${ffmpegPath()}' "$@"\n`);
  await chmod(wrapper, 0o755);
  t = await createTestApp({ FFMPEG_PATH: wrapper });
});
afterAll(async () => {
  await t?.close();
  await tones?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

it('checks an uploaded track with the configured ffmpeg', async () => {
  expect(t.ctx.ffmpeg.ffmpeg).toBe(path.join(dir, 'ffmpeg'));
  const user = await createUser(t.ctx.db);
  const project = await createProject(t.ctx.db, user.id, { title: 'Wrapped' });
  const b = new TestBrowser(t.app);
  await b.signInDev(user.email);
  await b.get('/');
  const res = await b.postMultipart(`/projects/${project.id}/music`, [{ name: 'music', value: tones.files.mp3, filename: 'tone.mp3', contentType: 'audio/mpeg' }]);
  expect(res.statusCode).toBe(303);
  expect(await calls()).toMatch(/-xerror -t 3 -protocol_whitelist file -f \w+ -i \S+ -f null -/);
});
