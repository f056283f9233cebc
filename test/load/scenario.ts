// Many signed-in people using Echoes at once over real HTTP, as their browsers would: each
// creates a project, opens it (and its live stream), uploads an image (htmx form), waits for the
// new clip's card to say ready (pushed on the stream; or, with `poll`, by polling the card as
// pages did before live updates), and looks at the dashboard, again and again until time is up.
// Used by the load smoke test (short) and bench/load.ts (a full minute).
import http from 'node:http';

export interface LoadOptions {
  baseUrl: string;
  users: number;
  seconds: number;
  image: Buffer;
  /** Pause between one person's requests, like a person reading the page. */
  thinkMs?: number;
  /** Poll the card this often instead of listening to the live stream (what pages did before: 2 s). */
  pollMs?: number;
  /** How long to wait for a pushed card before giving up on that clip. */
  liveTimeoutMs?: number;
}

export interface LoadResult {
  /** Every request, a live stream counting as one. */
  requests: number;
  /** Live streams opened (one per project page). */
  streams: number;
  byStatus: Map<number, number>;
  /** Requests that got no answer at all (connection refused or reset). */
  networkErrors: number;
  latenciesMs: number[];
  /** Latencies by what was asked: create, project, upload, card, dashboard. */
  byKind: Map<string, number[]>;
  projects: number;
  /** Every clip the server accepted, by the id its card carried. */
  clipIds: string[];
  emails: string[];
  /** Example of a failed answer, for the report. */
  firstFailure?: string;
}

class Person {
  private jar = new Map<string, string>();
  token = '';
  constructor(private base: string, readonly email: string, private result: LoadResult) {}

  private cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestInit & { htmx?: boolean; kind?: string } = {}): Promise<{ status: number; body: string; location: string | null }> {
    const headers = new Headers(init.headers);
    headers.set('cookie', this.cookie());
    if (init.htmx) headers.set('hx-request', 'true');
    if (init.method === 'POST' && this.token) headers.set('x-csrf-token', this.token);
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    } catch (err) {
      this.result.networkErrors++;
      this.result.firstFailure ??= `${init.method ?? 'GET'} ${path}: ${(err as Error).message}`;
      return { status: 0, body: '', location: null };
    }
    const body = await res.text();
    const ms = performance.now() - started;
    this.result.latenciesMs.push(ms);
    if (init.kind) {
      const list = this.result.byKind.get(init.kind) ?? [];
      list.push(ms);
      this.result.byKind.set(init.kind, list);
    }
    this.result.requests++;
    this.result.byStatus.set(res.status, (this.result.byStatus.get(res.status) ?? 0) + 1);
    if (res.status >= 500 || (res.status >= 400 && res.status !== 402)) this.result.firstFailure ??= `${init.method ?? 'GET'} ${path}: ${res.status} ${body.slice(0, 200)}`;
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const token = /name="csrf-token" content="([^"]+)"/.exec(body)?.[1];
    if (token) this.token = token;
    return { status: res.status, body, location: res.headers.get('location') };
  }

  /**
   * Opens the page's live stream (as htmx's SSE extension does) and resolves once a message
   * matches, or after timeoutMs; counts as one request, its latency the time to the first byte.
   */
  openStream(path: string): { until(match: (data: string) => boolean, timeoutMs: number): Promise<boolean>; close(): void } {
    const url = new URL(this.base + path);
    let buffer = '';
    let wake: (() => void) | null = null;
    let ended = false;
    const started = performance.now();
    const req = http.get(url, { headers: { cookie: this.cookie(), accept: 'text/event-stream', 'hx-request': 'true' } }, (res) => {
      this.result.requests++;
      this.result.streams++;
      this.result.byStatus.set(res.statusCode!, (this.result.byStatus.get(res.statusCode!) ?? 0) + 1);
      const list = this.result.byKind.get('stream') ?? [];
      list.push(performance.now() - started);
      this.result.byKind.set('stream', list);
      if (res.statusCode !== 200) this.result.firstFailure ??= `GET ${path}: ${res.statusCode}`;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        wake?.();
      });
      res.on('close', () => {
        ended = true;
        wake?.();
      });
    });
    req.on('error', () => {
      ended = true;
      wake?.();
    });
    return {
      async until(match, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        while (!match(buffer)) {
          if (ended || Date.now() >= deadline) return false;
          await new Promise<void>((r) => {
            const timer = setTimeout(r, deadline - Date.now());
            wake = () => {
              clearTimeout(timer);
              wake = null;
              r();
            };
          });
        }
        return true;
      },
      close: () => req.destroy(),
    };
  }

  async signIn(): Promise<void> {
    await this.request('/login');
    const form = new URLSearchParams({ _csrf: this.token, email: this.email, name: 'Load Tester' });
    const res = await this.request('/auth/dev', { method: 'POST', body: form });
    if (res.status !== 303) throw new Error(`sign-in for ${this.email} answered ${res.status}`);
    await this.request('/projects');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs everyone in first (so the run measures use, not sign-in), returning their emails. */
export async function signInAll(opts: LoadOptions, result: LoadResult, tag: string): Promise<Person[]> {
  const people = Array.from({ length: opts.users }, (_, i) => new Person(opts.baseUrl, `load-${tag}-${i}@example.com`, result));
  for (let i = 0; i < people.length; i += 20) await Promise.all(people.slice(i, i + 20).map((p) => p.signIn()));
  result.emails = people.map((p) => p.email);
  return people;
}

export function emptyResult(): LoadResult {
  return { requests: 0, streams: 0, byStatus: new Map(), networkErrors: 0, latenciesMs: [], byKind: new Map(), projects: 0, clipIds: [], emails: [] };
}

async function session(p: Person, opts: LoadOptions, result: LoadResult, deadline: number): Promise<void> {
  const think = opts.thinkMs ?? 500;
  let n = 0;
  // Spread the start so 100 people do not all click at the same millisecond.
  await sleep(Math.random() * think * 2);
  while (Date.now() < deadline) {
    n++;
    const created = await p.request('/projects', { method: 'POST', body: new URLSearchParams({ title: `Load ${n}`, ratio: '1280:720' }), kind: 'create' });
    if (created.status !== 303 || !created.location) continue;
    result.projects++;
    const projectPath = created.location;
    const page = await p.request(projectPath, { kind: 'project' });
    const connect = /sse-connect="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    const stream = opts.pollMs || !connect ? null : p.openStream(connect);
    await sleep(think);

    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(opts.image)], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('prompt', 'A slow push in');
    const uploaded = await p.request(`${projectPath}/clips`, { method: 'POST', body: form, htmx: true, kind: 'upload' });
    const clipId = /data-clip-id="([^"]+)"/.exec(uploaded.body)?.[1];
    if (uploaded.status === 200 && clipId) {
      result.clipIds.push(clipId);
      const done = new RegExp(`data-clip-id="${clipId}" data-status="(ready|error)"`);
      if (stream) {
        // The page is told when the card changes; it polls only if the stream says nothing.
        if (!(await stream.until((data) => done.test(data), opts.liveTimeoutMs ?? 60_000))) {
          await p.request(`/clips/${clipId}`, { htmx: true, kind: 'card' });
        }
      } else {
        // Poll the card as pages did before live updates, until the clip is ready or time is up.
        while (Date.now() < deadline) {
          await sleep(opts.pollMs ?? 2000);
          const card = await p.request(`/clips/${clipId}`, { htmx: true, kind: 'card' });
          if (card.status !== 200 || /data-status="(ready|error)"/.test(card.body)) break;
        }
      }
    }
    stream?.close();
    await p.request('/projects', { kind: 'dashboard' });
    await sleep(think);
  }
}

/** Runs everyone's sessions until `seconds` have passed. */
export async function runLoad(people: Person[], opts: LoadOptions, result: LoadResult): Promise<{ seconds: number }> {
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(people.map((p) => session(p, opts, result, deadline)));
  return { seconds: (Date.now() - started) / 1000 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function count5xx(result: LoadResult): number {
  return [...result.byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
}
