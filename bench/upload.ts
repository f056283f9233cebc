// A 200 MB music upload through the real server (`npm start` in a child process, local storage):
// its throughput end to end (the request's first byte to the 303), and how much the server's
// resident memory grew while it streamed, which must stay small whatever the file's size.
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, print, rssMb, signIn, startServer } from './_support.js';

const SIZE_MB = Number(process.env.BENCH_UPLOAD_MB ?? 200);

/** A real 16-bit stereo WAV of about `mb` megabytes (a slow sweep, so it is not all zeros). */
async function writeWav(file: string, mb: number): Promise<void> {
  const rate = 44_100;
  const dataBytes = Math.floor((mb * 1024 * 1024) / 4) * 4;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(dataBytes, 40);
  const fh = await open(file, 'w');
  await fh.write(header);
  const chunkFrames = 1 << 16;
  let frame = 0;
  for (let written = 0; written < dataBytes; ) {
    const frames = Math.min(chunkFrames, (dataBytes - written) / 4);
    const buf = Buffer.alloc(frames * 4);
    for (let i = 0; i < frames; i++, frame++) {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * (220 + (frame % rate) / 200) * frame) / rate));
      buf.writeInt16LE(v, i * 4);
      buf.writeInt16LE(v, i * 4 + 2);
    }
    await fh.write(buf);
    written += buf.length;
  }
  await fh.close();
}

/** Streams the file as the browser's multipart form would, with the CSRF token in the header. */
function postMultipart(url: string, cookie: string, token: string, file: string, size: number): Promise<number> {
  const boundary = `----echoesbench${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="music"; filename="long-song.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        cookie,
        'x-csrf-token': token,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.write(head);
    const body = createReadStream(file, { highWaterMark: 1024 * 1024 });
    body.on('error', reject);
    body.on('end', () => req.end(tail));
    body.pipe(req, { end: false });
  });
}

export async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-upload-'));
  const database = await freshDatabase(`echoes_bench_upload_${process.pid}`);
  const server = await startServer({ DATABASE_URL: database.url });
  try {
    const file = path.join(tmp, 'long-song.wav');
    await writeWav(file, SIZE_MB);
    const size = (await stat(file)).size;

    let cookie = await signIn(server.url, 'upload-bench@example.com');
    const user = await database.db.selectFrom('users').select('id').where('email', '=', 'upload-bench@example.com').executeTakeFirstOrThrow();
    const project = await database.db.insertInto('projects').values({ user_id: user.id, title: 'Long song', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
    const page = await fetch(`${server.url}/projects/${project.id}`, { headers: { cookie } });
    const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
    if (!token) throw new Error(`no CSRF token on the project page (${page.status})`);
    for (const c of page.headers.getSetCookie()) cookie += `; ${c.split(';')[0]}`;

    // Let the server settle, then take its resident memory as the baseline.
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = await rssMb(server.child.pid!);
    let peak = baseline;
    const sampler = setInterval(() => {
      rssMb(server.child.pid!).then((mb) => (peak = Math.max(peak, mb)), () => {});
    }, 20);

    const started = performance.now();
    const status = await postMultipart(`${server.url}/projects/${project.id}/music`, cookie, token, file, size);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (status !== 303) throw new Error(`upload answered ${status}`);
    const row = await database.db.selectFrom('projects').select(['music_key', 'music_duration_s']).where('id', '=', project.id).executeTakeFirstOrThrow();
    if (!row.music_key) throw new Error('the upload answered 303 but the project has no track');

    print('music_upload_size', size / 1024 / 1024, 'MB');
    print('music_upload_seconds', seconds, 's');
    print('music_upload_throughput', size / 1024 / 1024 / seconds, 'MB/s');
    print('music_upload_server_rss_baseline', baseline, 'MB');
    print('music_upload_server_rss_growth', peak - baseline, 'MB');
  } finally {
    await server.stop();
    await database.drop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
