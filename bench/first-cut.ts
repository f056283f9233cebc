// A first cut: 10 photos (12 MP, 3:2, 9:16 and 1:1) and a 3-minute song into a new project through
// `npm start` (web and workers in one process, as a creator runs it): the time from the first photo
// request to the last draft ready, the web process's event-loop p99 meanwhile (prom-client's
// nodejs_eventloop_lag_p99_seconds from /metrics), the credits spent, and whether the film plays
// with every clip cut on the beat. The browser's way: one photo a request, three at a time.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { freshDatabase, print, signIn, startServer } from './_support.js';

const SHAPES: Array<[number, number]> = [[4240, 2832], [2592, 4608], [3464, 3464]];
const PHOTOS = 10;
const SONG_S = 180;
const TARGET_S = 30;

/**
 * CPU seconds the process and its finished children (ffmpeg renders) have used: /proc/<pid>/stat's
 * utime + stime + cutime + cstime, in clock ticks of 1/100 s. On a shared machine this, not the wall
 * time, is what compares runs.
 */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of the line; the slice starts at field 3.
  return fields.slice(11, 15).reduce((a, f) => a + Number(f), 0) / 100;
}

async function photo(i: number): Promise<Buffer> {
  const [w, h] = SHAPES[i % SHAPES.length]!;
  return sharp({ create: { width: w, height: h, channels: 3, background: '#6b5b95', noise: { type: 'gaussian', mean: 120, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer();
}

/** A 3-minute mono WAV at 22.05 kHz: a click on every beat at 120 BPM over a low hum. */
function song(): Buffer {
  const rate = 22_050;
  const n = rate * SONG_S;
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const sinceBeat = t % 0.5;
    const click = sinceBeat < 0.03 ? Math.sin(2 * Math.PI * 1000 * t) * (1 - sinceBeat / 0.03) : 0;
    data.writeInt16LE(Math.round(20000 * click + 1500 * Math.sin(2 * Math.PI * 110 * t)), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

function form(field: string, name: string, type: string, body: Buffer): FormData {
  const f = new FormData();
  f.append(field, new Blob([new Uint8Array(body)], { type }), name);
  return f;
}

export async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-first-cut-'));
  const database = await freshDatabase(`echoes_bench_first_cut_${process.pid}`);
  const server = await startServer({ DATABASE_URL: database.url, RUN_WORKERS: 'true' });
  try {
    const photos = await Promise.all(Array.from({ length: PHOTOS }, (_, i) => photo(i)));
    const track = song();
    let cookie = await signIn(server.url, 'first-cut@example.com');
    const user = await database.db.selectFrom('users').select(['id', 'credit_balance']).where('email', '=', 'first-cut@example.com').executeTakeFirstOrThrow();
    const project = await database.db.insertInto('projects').values({ user_id: user.id, title: 'First cut', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
    const page = await fetch(`${server.url}/projects/${project.id}`, { headers: { cookie } });
    const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
    if (!token) throw new Error(`no CSRF token on the project page (${page.status})`);
    for (const c of page.headers.getSetCookie()) cookie += `; ${c.split(';')[0]}`;
    const headers = { cookie, 'x-csrf-token': token, 'hx-request': 'true' };

    const pid = server.child.pid!;
    const cpuBefore = await cpuSeconds(pid);
    const started = performance.now();
    const music = fetch(`${server.url}/projects/${project.id}/music`, { method: 'POST', headers, body: form('music', 'song.wav', 'audio/wav', track) });
    let next = 0;
    const statuses: number[] = [];
    const worker = async () => {
      while (next < PHOTOS) {
        const i = next++;
        const res = await fetch(`${server.url}/projects/${project.id}/photos`, { method: 'POST', headers, body: form('image', `photo-${i + 1}.jpg`, 'image/jpeg', photos[i]!) });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const musicStatus = (await music).status;
    if (statuses.some((s) => s !== 200) || musicStatus >= 400) throw new Error(`uploads answered ${statuses.join(',')}, music ${musicStatus}`);
    const uploadedS = (performance.now() - started) / 1000;

    // A clip's draft is ready when the clip has a ready take (the clip itself stays 'draft' until animated).
    let clips: Array<{ status: string; ready_takes: number }> = [];
    const readyDraft = (c: { status: string; ready_takes: number }) => c.ready_takes > 0;
    for (;;) {
      clips = await database.db.selectFrom('clips')
        .select((eb) => ['clips.status', eb.selectFrom('takes').select(eb.fn.countAll<number>().as('n')).whereRef('takes.clip_id', '=', 'clips.id').where('takes.status', '=', 'ready').as('ready_takes')])
        .where('project_id', '=', project.id).execute() as Array<{ status: string; ready_takes: number }>;
      clips = clips.map((c) => ({ ...c, ready_takes: Number(c.ready_takes) }));
      if (clips.length === PHOTOS && clips.every((c) => readyDraft(c) || c.status === 'error')) break;
      if ((performance.now() - started) / 1000 > 600) throw new Error('drafts not ready after 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const lastDraftS = (performance.now() - started) / 1000;
    const cpuS = (await cpuSeconds(pid)) - cpuBefore;
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const loopP99 = Number(/^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(metrics)?.[1] ?? NaN) * 1000;

    // The film: the player lists every clip; the beat analysis decides the cuts.
    let analysis: string | undefined;
    for (let i = 0; i < 300 && analysis !== 'ready' && analysis !== 'error' && analysis !== 'no_beat'; i++) {
      analysis = (await database.db.selectFrom('music_analyses').select('status').where('project_id', '=', project.id).executeTakeFirst())?.status;
      if (analysis !== 'ready') await new Promise((r) => setTimeout(r, 200));
    }
    const player = await fetch(`${server.url}/projects/${project.id}/play`, { headers: { cookie } });
    const playable = player.ok ? ((await player.text()).match(/data-clip-id=/g) ?? []).length : 0;
    const spent = await database.db.selectFrom('credit_transactions').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.val(0)).as('s')).where('user_id', '=', user.id).where('type', '=', 'generation').executeTakeFirstOrThrow();

    print('first_cut_photos_uploaded', uploadedS, 's');
    print('first_cut_last_draft_ready', lastDraftS, 's');
    print('first_cut_target', TARGET_S, 's');
    print('first_cut_server_cpu_to_last_draft', cpuS, 'CPU s');
    print('first_cut_drafts_ready', clips.filter(readyDraft).length, `of ${PHOTOS}`);
    print('first_cut_web_event_loop_p99', loopP99, 'ms');
    print('first_cut_clips_in_player', playable, 'clips');
    print('first_cut_beat_analysis_ready', analysis === 'ready' ? 1 : 0, 'bool');
    print('first_cut_credits_spent', -Number(spent.s), 'credits');
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
