import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';
import { WEB_ARGS } from './start-commands.js';

/**
 * Starts a real web process as `npm start` does (no workers in it), on a free port, and waits until
 * it answers; the child goes into `children` for the test to stop. Returns its base URL.
 */
export async function startWebProcess(env: Record<string, string | undefined>, children: ChildProcess[]): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, WEB_ARGS, { env: { ...process.env, ...env, PORT: String(port), RUN_WORKERS: 'false' }, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200, 'a web process to answer', 120_000, 200);
  return url;
}

/** Stops the processes started by startWebProcess (or alike) and waits until each has exited. */
export async function stopProcesses(children: ChildProcess[]): Promise<void> {
  for (const child of children) {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  }
}

/** A browser over real HTTP: keeps cookies and the page's CSRF token, may talk to any web process. */
export class HttpBrowser {
  cookies = new Map<string, string>();
  csrf = '';
  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { cookie: this.cookie, ...(init.headers as Record<string, string>) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(pair!.slice(0, i));
      else this.cookies.set(pair!.slice(0, i), value);
    }
    return res;
  }
  /** A page (its body still readable), remembering its CSRF token for the next post. */
  async page(url: string): Promise<Response> {
    const res = await this.fetch(url);
    const body = await res.clone().text();
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(body);
    if (m) this.csrf = m[1]!;
    return res;
  }
  /** Signs in through the dev form on the web process at `base` (the session then works on any). */
  async signInDev(base: string, email: string, name: string): Promise<void> {
    await this.page(`${base}/login`);
    const res = await this.post(`${base}/auth/dev`, { email, name });
    if (res.status !== 303) throw new Error(`dev sign-in on ${base} answered ${res.status}`);
    await this.page(`${base}/projects`); // CSRF tokens are bound to the session: the new one's token
  }
  /**
   * Signs in with Google (the fake at `authUrl`'s host) on the web process at `base`, as a production
   * server (no dev form) needs. Its PUBLIC_URL may name localhost: the callback is sent to `base`.
   */
  async signInGoogle(base: string): Promise<void> {
    const toGoogle = await this.fetch(`${base}/auth/google?next=%2Fprojects`);
    if (toGoogle.status !== 302) throw new Error(`/auth/google on ${base} answered ${toGoogle.status}`);
    const atGoogle = await fetch(toGoogle.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(atGoogle.headers.get('location')!);
    const res = await this.fetch(`${base}${callback.pathname}${callback.search}`);
    if (res.status !== 303) throw new Error(`the Google callback on ${base} answered ${res.status}`);
    await this.page(`${base}/projects`); // the signed-in session's CSRF token
  }
  post(url: string, form: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, { method: 'POST', body: new URLSearchParams({ _csrf: this.csrf, ...form }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}
