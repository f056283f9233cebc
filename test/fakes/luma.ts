import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { ffmpegPath } from '../../src/platform/ffmpeg.js';

// Luma's Dream Machine API over real HTTP on 127.0.0.1, speaking shared/specs/luma.md: bearer auth,
// JSON body checks (400 with `detail`), generations that go queued → dreaming → completed (or
// failed), the start image fetched for real from keyframes.frame0.url (a generation whose image
// cannot be fetched fails; so does one whose end image, keyframes.frame1, cannot), videos served as real MP4s of 5 or 9 seconds, DELETE, callbacks POSTed
// to callback_url at dreaming, completed and failed, and scripted failures.

export type LumaState = 'queued' | 'dreaming' | 'completed' | 'failed';

/** One stage of a generation, held `ms` milliseconds (the last one stays). */
export interface LumaStep {
  state: LumaState;
  ms?: number;
  failure_reason?: string;
}

export interface LumaFailure {
  /** With `hold`: the generation is created as usual but the answer never comes (a lost 201). */
  hold?: boolean;
  status: number;
  detail?: string;
  retryAfter?: number;
}

export type LumaOp = 'submit' | 'status' | 'cancel' | 'list';

export interface LumaGeneration {
  id: string;
  body: Record<string, unknown>;
  state: LumaState;
  failure_reason: string | null;
  created_at: string;
  deleted: boolean;
  /** The start image fetch: HTTP status (0: network error) and bytes. */
  frameFetch?: { status: number; bytes: number; contentType: string };
  /** The end image fetch (keyframes.frame1), when one was given. */
  endFrameFetch?: { status: number; bytes: number; contentType: string };
  timers: NodeJS.Timeout[];
}

export const LUMA_DEFAULT_STEPS: LumaStep[] = [{ state: 'queued', ms: 30 }, { state: 'dreaming', ms: 60 }, { state: 'completed' }];
const MODELS = ['ray-2', 'ray-flash-2', 'ray-1-6'];
const ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'];
const RESOLUTIONS = ['540p', '720p', '1080p', '4k'];

const videos = new Map<string, Promise<Buffer>>();
/** A real, tiny H.264 MP4 of `seconds`, made once per process with ffmpeg. */
export function lumaVideo(seconds: number): Promise<Buffer> {
  const key = String(seconds);
  if (!videos.has(key)) {
    videos.set(key, (async () => {
      const file = path.join(os.tmpdir(), `echoes-fake-luma-${process.pid}-${seconds}.mp4`);
      await promisify(execFile)(ffmpegPath(), [
        '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x22c55e:s=160x90:d=${seconds}:r=12`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file,
      ]);
      return readFile(file);
    })());
  }
  return videos.get(key)!;
}

function isFetchableUrl(u: string): boolean {
  try {
    const url = new URL(u);
    // Luma fetches https; the fake also takes http on loopback, where tests serve media.
    return url.protocol === 'https:' || (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'));
  } catch {
    return false;
  }
}

function validate(body: Record<string, unknown>): string | null {
  if (body.generation_type !== undefined && body.generation_type !== 'video') return 'generation_type: must be "video"';
  if (!MODELS.includes(body.model as string)) return `model: must be one of ${MODELS.join(', ')}`;
  if (typeof body.prompt !== 'string' || !body.prompt.trim()) return 'prompt: field required';
  const frame0 = (body.keyframes as { frame0?: { type?: unknown; url?: unknown } } | undefined)?.frame0;
  if (!frame0 || frame0.type !== 'image' || typeof frame0.url !== 'string') return 'keyframes.frame0: an image keyframe with a url is required';
  if (frame0.url.startsWith('data:')) return 'keyframes.frame0.url: data URIs are not accepted';
  if (!isFetchableUrl(frame0.url)) return 'keyframes.frame0.url: must be an https URL';
  // The end keyframe (specs/luma.md): an image by URL, as frame0; a generation id is for extending, never the end.
  const frame1 = (body.keyframes as { frame1?: { type?: unknown; url?: unknown } }).frame1;
  if (frame1 !== undefined) {
    if (!frame1 || frame1.type !== 'image' || typeof frame1.url !== 'string') return 'keyframes.frame1: an image keyframe with a url is required';
    if (frame1.url.startsWith('data:')) return 'keyframes.frame1.url: data URIs are not accepted';
    if (!isFetchableUrl(frame1.url)) return 'keyframes.frame1.url: must be an https URL';
  }
  const extra = Object.keys(body.keyframes as object).filter((k) => k !== 'frame0' && k !== 'frame1');
  if (extra.length) return `keyframes.${extra[0]}: unknown keyframe`;
  if (!ASPECTS.includes(body.aspect_ratio as string)) return `aspect_ratio: must be one of ${ASPECTS.join(', ')}`;
  if (body.duration !== '5s' && body.duration !== '9s') return 'duration: must be "5s" or "9s"';
  if (!RESOLUTIONS.includes(body.resolution as string)) return `resolution: must be one of ${RESOLUTIONS.join(', ')}`;
  if (body.callback_url !== undefined && (typeof body.callback_url !== 'string' || !/^https?:\/\//.test(body.callback_url))) return 'callback_url: must be a URL';
  return null;
}

export interface LumaFake {
  url: string;
  apiKey: string;
  /** Every accepted POST /generations, in order. */
  generations: LumaGeneration[];
  deletes: string[];
  requests: Array<{ method: string; path: string; status: number; at: number }>;
  callbacks: Array<{ id: string; state: LumaState; status: number; at: number }>;
  /** Steps for the next `times` generations (then the default plan). */
  plan(steps: LumaStep[], times?: number): void;
  failNext(op: LumaOp, failure: LumaFailure, times?: number): void;
  find(id: string): LumaGeneration | undefined;
  close(): Promise<void>;
}

export async function startLumaFake(opts: { apiKey?: string } = {}): Promise<LumaFake> {
  const apiKey = opts.apiKey ?? `luma-${randomBytes(24).toString('hex')}`;
  await Promise.all([lumaVideo(5), lumaVideo(9)]); // made before any test's clock starts
  const planned: LumaStep[][] = [];
  const failures: Record<LumaOp, LumaFailure[]> = { submit: [], status: [], cancel: [], list: [] };
  const byId = new Map<string, LumaGeneration>();
  const fake = { generations: [] as LumaGeneration[], deletes: [] as string[], requests: [] as LumaFake['requests'], callbacks: [] as LumaFake['callbacks'] };
  let base = '';

  function json(g: LumaGeneration) {
    const seconds = g.body.duration === '9s' ? 9 : 5;
    return {
      id: g.id,
      generation_type: 'video',
      state: g.state,
      failure_reason: g.failure_reason,
      created_at: g.created_at,
      assets: g.state === 'completed' ? { video: `${base}/videos/${g.id}-${seconds}.mp4?token=${randomBytes(6).toString('hex')}`, image: null } : null,
      model: g.body.model,
      request: g.body,
    };
  }

  async function callback(g: LumaGeneration): Promise<void> {
    const to = g.body.callback_url;
    if (typeof to !== 'string' || g.deleted) return;
    const state = g.state;
    try {
      const res = await fetch(to, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json(g)), signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel().catch(() => {});
      fake.callbacks.push({ id: g.id, state, status: res.status, at: Date.now() });
    } catch {
      fake.callbacks.push({ id: g.id, state, status: 0, at: Date.now() });
    }
  }

  function enter(g: LumaGeneration, step: LumaStep): void {
    if (g.deleted) return;
    g.state = step.state;
    if (step.state === 'failed') g.failure_reason = step.failure_reason ?? 'Generation failed';
    if (step.state !== 'queued') void callback(g);
  }

  /** Fetches the start image as Luma would; a generation whose image cannot be had fails. */
  /** Fetches a keyframe image as Luma would; undefined when it cannot be had. */
  async function fetchFrame(url: string): Promise<{ status: number; bytes: number; contentType: string; ok: boolean }> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const bytes = Buffer.from(await res.arrayBuffer());
      const contentType = res.headers.get('content-type') ?? '';
      return { status: res.status, bytes: bytes.length, contentType, ok: res.ok && contentType.startsWith('image/') && bytes.length > 0 };
    } catch {
      return { status: 0, bytes: 0, contentType: '', ok: false };
    }
  }

  /** Fetches the keyframe images (start, and end when given); a generation whose images cannot be had fails. */
  async function start(g: LumaGeneration, steps: LumaStep[]): Promise<void> {
    const frames = g.body.keyframes as { frame0: { url: string }; frame1?: { url: string } };
    const { ok, ...first } = await fetchFrame(frames.frame0.url);
    g.frameFetch = first;
    let endOk = true;
    if (frames.frame1) {
      const { ok: fetched, ...end } = await fetchFrame(frames.frame1.url);
      g.endFrameFetch = end;
      endOk = fetched;
    }
    if (!ok || !endOk) return enter(g, { state: 'failed', failure_reason: 'Failed to fetch keyframe image from the provided URL' });
    let at = 0;
    steps.forEach((step, i) => {
      if (i === 0) return enter(g, step);
      at += steps[i - 1]!.ms ?? 50;
      g.timers.push(setTimeout(() => enter(g, step), at));
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', base);
        const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
          fake.requests.push({ method: req.method ?? '', path: url.pathname, status, at: Date.now() });
          res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
          res.end(body === undefined ? undefined : JSON.stringify(body));
        };
        const scripted = (op: LumaOp): boolean => {
          const f = failures[op].shift();
          if (!f) return false;
          if (f.status === 0) {
            fake.requests.push({ method: req.method ?? '', path: url.pathname, status: 0, at: Date.now() });
            req.socket.destroy();
            return true;
          }
          send(f.status, { detail: f.detail ?? (f.status === 429 ? 'Too many requests' : 'Internal server error') }, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
          return true;
        };

        const video = /^\/videos\/([\w-]+)-(5|9)\.mp4$/.exec(url.pathname);
        if (req.method === 'GET' && video) {
          const g = byId.get(video[1]!);
          if (!g || g.state !== 'completed' || !url.searchParams.get('token')) return send(404, { detail: 'Not found' });
          const bytes = await lumaVideo(Number(video[2]));
          fake.requests.push({ method: 'GET', path: url.pathname, status: 200, at: Date.now() });
          res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
          return res.end(bytes);
        }
        if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, { detail: 'Invalid API key' });

        if (req.method === 'POST' && (url.pathname === '/generations' || url.pathname === '/generations/video')) {
          const hold = failures.submit[0]?.hold ? Boolean(failures.submit.shift()) : false;
          if (!hold && scripted('submit')) return;
          if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return send(400, { detail: 'Content-Type must be application/json' });
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return send(400, { detail: 'Invalid JSON body' });
          }
          const bad = validate(body ?? {});
          if (bad) return send(400, { detail: bad });
          const g: LumaGeneration = { id: randomUUID(), body, state: 'queued', failure_reason: null, created_at: new Date().toISOString(), deleted: false, timers: [] };
          byId.set(g.id, g);
          fake.generations.push(g);
          if (hold) fake.requests.push({ method: 'POST', path: url.pathname, status: -1, at: Date.now() });
          else send(201, json(g));
          void start(g, planned.shift() ?? LUMA_DEFAULT_STEPS);
          return;
        }
        if (req.method === 'GET' && url.pathname === '/generations') {
          if (scripted('list')) return;
          const limit = Number(url.searchParams.get('limit') ?? 10);
          const all = fake.generations.filter((g) => !g.deleted);
          return send(200, { generations: all.slice(-limit).map(json), count: all.length, has_more: all.length > limit });
        }
        const one = /^\/generations\/([\w-]+)$/.exec(url.pathname);
        if (one) {
          const g = byId.get(one[1]!);
          if (req.method === 'GET') {
            if (scripted('status')) return;
            if (!g || g.deleted) return send(404, { detail: 'Generation not found' });
            return send(200, json(g));
          }
          if (req.method === 'DELETE') {
            if (scripted('cancel')) return;
            fake.deletes.push(one[1]!);
            if (!g || g.deleted) return send(404, { detail: 'Generation not found' });
            g.deleted = true;
            g.timers.forEach(clearTimeout);
            return send(204);
          }
          return send(405, { detail: 'Method not allowed' });
        }
        return send(404, { detail: 'Not found' });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiKey,
    ...fake,
    plan(steps, times = 1) {
      for (let i = 0; i < times; i++) planned.push(steps);
    },
    failNext(op, failure, times = 1) {
      for (let i = 0; i < times; i++) failures[op].push(failure);
    },
    find: (id) => byId.get(id),
    async close() {
      for (const g of byId.values()) g.timers.forEach(clearTimeout);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
