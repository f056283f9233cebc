import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { ffmpegPath } from '../../src/platform/ffmpeg.js';

// A Runway API over real HTTP on 127.0.0.1, speaking shared/specs/runway.md: auth and version
// headers, body validation (400 with issues), tasks that move PENDING → THROTTLED → RUNNING →
// SUCCEEDED (or FAILED), outputs served as real MP4 bytes, DELETE, and scripted failures.

export type FakeStatus = 'PENDING' | 'THROTTLED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One stage of a task. It is shown for `polls` GETs (default 1) and at least `ms` milliseconds. */
export interface FakeStep {
  status: FakeStatus;
  progress?: number;
  polls?: number;
  ms?: number;
  failure?: string;
  failureCode?: string;
}

/**
 * A scripted answer instead of the normal one; status 0 drops the connection (a network error),
 * `hold` never answers (a stalled download), recorded with status -1 when the request arrives.
 */
export interface FakeFailure {
  status: number;
  hold?: boolean;
  retryAfter?: number | string;
  error?: string;
  /** A redirect's target (with a 3xx status). */
  location?: string;
  /** Answer 200 with this many bytes of video instead (announced in Content-Length unless `chunked`). */
  bytes?: number;
  chunked?: boolean;
}

export type FakeOp = 'submit' | 'status' | 'cancel' | 'output';

export interface FakeTask {
  id: string;
  body: Record<string, unknown>;
  createdAt: number;
  steps: FakeStep[];
  index: number;
  enteredAt: number;
  pollsInStep: number;
  polls: number;
  deleted: boolean;
  cancelled: boolean;
  /** When the task became SUCCEEDED (virtual time for time-based steps). */
  succeededAt?: number;
}

export const DEFAULT_STEPS: FakeStep[] = [{ status: 'PENDING' }, { status: 'RUNNING', progress: 0.4 }, { status: 'SUCCEEDED' }];
export const SAFETY_STEPS: FakeStep[] = [
  { status: 'RUNNING', progress: 0.1 },
  { status: 'FAILED', failure: 'Input image flagged by content moderation', failureCode: 'SAFETY.INPUT.IMAGE' },
];
const RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'];
const MODELS = ['gen4_turbo', 'gen4.5', 'gen3a_turbo', 'veo3.1'];
const FINAL = new Set<FakeStatus>(['SUCCEEDED', 'FAILED', 'CANCELLED']);

let mp4: Promise<Buffer> | undefined;
/** A real, tiny H.264 MP4, made once per process with ffmpeg. */
export function sampleMp4(): Promise<Buffer> {
  mp4 ??= (async () => {
    const file = path.join(os.tmpdir(), `echoes-fake-runway-${process.pid}.mp4`);
    await promisify(execFile)(ffmpegPath(), [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x8b5cf6:s=320x180:d=1:r=24',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file,
    ]);
    return readFile(file);
  })();
  return mp4;
}

type Issue = { code: string; path: string[]; message: string };

function validate(body: Record<string, unknown>): { status: number; error: string; issues?: Issue[] } | null {
  const issues: Issue[] = [];
  const add = (p: string, message: string) => issues.push({ code: 'invalid', path: [p], message });
  if (typeof body.model !== 'string') add('model', 'Required');
  const img = body.promptImage;
  const uri = Array.isArray(img) ? (img[0] as { uri?: unknown } | undefined)?.uri : img;
  if (typeof uri !== 'string') add('promptImage', 'Required');
  else if (uri.startsWith('data:')) {
    const m = /^data:image\/(jpeg|png|webp);base64,([A-Za-z0-9+/]+=*)$/.exec(uri);
    if (!m) add('promptImage', 'Invalid data URI');
    else if (uri.length > 5 * 1024 * 1024) add('promptImage', 'Data URI must be at most 5 MiB');
    else {
      const head = Buffer.from(m[2]!.slice(0, 32), 'base64');
      const ok = (m[1] === 'jpeg' && head[0] === 0xff && head[1] === 0xd8) || (m[1] === 'png' && head[0] === 0x89) || (m[1] === 'webp' && head.subarray(8, 12).toString() === 'WEBP');
      if (!ok) add('promptImage', 'Image data does not match its type');
    }
  } else if (!/^(https:\/\/|runway:\/\/)/.test(uri)) add('promptImage', 'Must be an HTTPS URL, a data URI or a runway:// URI');
  if (!RATIOS.includes(body.ratio as string)) add('ratio', `Must be one of ${RATIOS.join(', ')}`);
  if (body.duration !== undefined && (!Number.isInteger(body.duration) || (body.duration as number) < 2 || (body.duration as number) > 10)) add('duration', 'Must be an integer from 2 to 10');
  if (body.promptText !== undefined && (typeof body.promptText !== 'string' || body.promptText.length < 1 || body.promptText.length > 1000)) add('promptText', 'Must be 1 to 1000 characters');
  if (body.seed !== undefined && (!Number.isInteger(body.seed) || (body.seed as number) < 0)) add('seed', 'Must be a non-negative integer');
  if (issues.length) return { status: 400, error: 'Validation of body failed', issues };
  if (!MODELS.includes(body.model as string)) return { status: 403, error: `Model ${String(body.model)} is not available` };
  return null;
}

export interface RunwayFake {
  url: string;
  apiKey: string;
  /** Every accepted POST /v1/image_to_video, in order. */
  submissions: FakeTask[];
  tasks: Map<string, FakeTask>;
  /** Task ids DELETE was called for (including repeats). */
  deletes: string[];
  requests: Array<{ method: string; path: string; status: number; at: number }>;
  /** Steps for the next `times` submissions (then the default plan). */
  plan(steps: FakeStep[], times?: number): void;
  setDefaultPlan(steps: FakeStep[]): void;
  /** The next `times` requests of this kind get this answer instead. */
  failNext(op: FakeOp, failure: FakeFailure, times?: number): void;
  /** Forgets scripted failures not yet used. */
  clearFailures(): void;
  statusOf(taskId: string): FakeStatus | 'DELETED' | undefined;
  /** Rewrites the output URLs of succeeded tasks (null: back to this server's own). */
  setOutputUrl(make: ((taskId: string, own: string) => string) | null): void;
  close(): Promise<void>;
}

export async function startRunwayFake(opts: { apiKey?: string } = {}): Promise<RunwayFake> {
  const apiKey = opts.apiKey ?? `key_${randomBytes(64).toString('hex')}`;
  const video = await sampleMp4();
  let defaultSteps = DEFAULT_STEPS;
  const planned: FakeStep[][] = [];
  const failures: Record<FakeOp, FakeFailure[]> = { submit: [], status: [], cancel: [], output: [] };
  const tasks = new Map<string, FakeTask>();
  const fake = { submissions: [] as FakeTask[], deletes: [] as string[], requests: [] as RunwayFake['requests'] };
  let base = '';
  let outputUrl: ((taskId: string, own: string) => string) | null = null;

  function advance(t: FakeTask, now: number): void {
    while (t.index < t.steps.length - 1 && !FINAL.has(t.steps[t.index]!.status)) {
      const step = t.steps[t.index]!;
      const needPolls = step.polls ?? (step.ms ? 0 : 1);
      if (t.pollsInStep < needPolls || now - t.enteredAt < (step.ms ?? 0)) break;
      t.enteredAt = needPolls === 0 ? t.enteredAt + (step.ms ?? 0) : now;
      t.index++;
      t.pollsInStep = 0;
      if (t.steps[t.index]!.status === 'SUCCEEDED') t.succeededAt = t.enteredAt;
    }
  }

  function taskJson(t: FakeTask) {
    const step = t.steps[t.index]!;
    const status = t.cancelled ? 'CANCELLED' : step.status;
    const out: Record<string, unknown> = { id: t.id, createdAt: new Date(t.createdAt).toISOString(), status };
    if (status === 'RUNNING') out.progress = step.progress ?? 0.5;
    if (status === 'SUCCEEDED') {
      const own = `${base}/outputs/${t.id}.mp4?_jwt=${randomBytes(8).toString('hex')}`;
      out.output = [outputUrl ? outputUrl(t.id, own) : own];
    }
    if (status === 'FAILED') {
      out.failure = step.failure ?? 'Task failed';
      if (step.failureCode) out.failureCode = step.failureCode;
    }
    return out;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        fake.requests.push({ method: req.method ?? '', path: url.pathname, status, at: Date.now() });
        res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const scripted = (op: FakeOp): boolean => {
        const f = failures[op].shift();
        if (!f) return false;
        if (f.hold) {
          fake.requests.push({ method: req.method ?? '', path: url.pathname, status: -1, at: Date.now() });
          return true;
        }
        if (f.status === 0) {
          fake.requests.push({ method: req.method ?? '', path: url.pathname, status: 0, at: Date.now() });
          req.socket.destroy();
          return true;
        }
        if (f.bytes !== undefined) {
          fake.requests.push({ method: req.method ?? '', path: url.pathname, status: 200, at: Date.now() });
          res.writeHead(200, { 'content-type': 'video/mp4', ...(f.chunked ? {} : { 'content-length': String(f.bytes) }) });
          const chunk = Buffer.alloc(64 * 1024, 1);
          for (let left = f.bytes; left > 0; left -= chunk.length) res.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
          res.end();
          return true;
        }
        const headers: Record<string, string> = f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {};
        if (f.location) headers.location = f.location;
        send(f.status, { error: f.error ?? (f.status === 429 ? 'Too many requests' : 'Service unavailable') }, headers);
        return true;
      };

      const output = /^\/outputs\/([\w-]+)\.mp4$/.exec(url.pathname);
      if (req.method === 'GET' && output) {
        if (scripted('output')) return;
        if (!tasks.has(output[1]!) || !url.searchParams.get('_jwt')) return send(404, { error: 'Not found' });
        fake.requests.push({ method: 'GET', path: url.pathname, status: 200, at: Date.now() });
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(video.length) });
        return res.end(video);
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, { error: 'Invalid API key' });
      if (req.headers['x-runway-version'] !== '2024-11-06') return send(400, { error: 'Invalid or missing X-Runway-Version header' });

      if (req.method === 'GET' && url.pathname === '/v1/organization') {
        return send(200, { creditBalance: 1000, tier: { maxMonthlyCreditSpend: 10000, models: { gen4_turbo: { maxConcurrentGenerations: 2, maxDailyGenerations: 500 } } }, usage: { models: {} } });
      }

      if (req.method === 'POST' && url.pathname === '/v1/image_to_video') {
        if (scripted('submit')) return;
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return send(400, { error: 'Content-Type must be application/json' });
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(400, { error: 'Invalid JSON body' });
        }
        const bad = validate(body ?? {});
        if (bad) return send(bad.status, { error: bad.error, ...(bad.issues ? { issues: bad.issues, docUrl: 'https://docs.dev.runwayml.com/' } : {}) });
        const now = Date.now();
        const t: FakeTask = { id: randomUUID(), body, createdAt: now, steps: planned.shift() ?? defaultSteps, index: 0, enteredAt: now, pollsInStep: 0, polls: 0, deleted: false, cancelled: false };
        if (t.steps[0]!.status === 'SUCCEEDED') t.succeededAt = now;
        tasks.set(t.id, t);
        fake.submissions.push(t);
        return send(200, { id: t.id });
      }

      const task = /^\/v1\/tasks\/([\w-]+)$/.exec(url.pathname);
      if (task) {
        const t = tasks.get(task[1]!);
        if (req.method === 'GET') {
          if (scripted('status')) return;
          if (!t || t.deleted) return send(404, { error: 'Could not find Task' });
          advance(t, Date.now());
          t.polls++;
          const json = taskJson(t);
          t.pollsInStep++;
          return send(200, json);
        }
        if (req.method === 'DELETE') {
          if (scripted('cancel')) return;
          fake.deletes.push(task[1]!);
          if (!t || t.deleted) return send(404, { error: 'Could not find Task' });
          advance(t, Date.now());
          if (!FINAL.has(t.steps[t.index]!.status)) t.cancelled = true;
          t.deleted = true;
          return send(204);
        }
        return send(405, { error: 'Method not allowed' });
      }
      return send(404, { error: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    apiKey,
    tasks,
    ...fake,
    plan(steps, times = 1) {
      for (let i = 0; i < times; i++) planned.push(steps);
    },
    setDefaultPlan(steps) {
      defaultSteps = steps;
    },
    failNext(op, failure, times = 1) {
      for (let i = 0; i < times; i++) failures[op].push(failure);
    },
    setOutputUrl(make) {
      outputUrl = make;
    },
    clearFailures() {
      for (const list of Object.values(failures)) list.length = 0;
    },
    statusOf(taskId) {
      const t = tasks.get(taskId);
      if (!t) return undefined;
      if (t.deleted) return 'DELETED';
      advance(t, Date.now());
      return t.cancelled ? 'CANCELLED' : t.steps[t.index]!.status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
