import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { multipartBody, type MultipartPart } from './multipart.js';

export type Form = Record<string, string | string[] | number | boolean | undefined>;

function encodeForm(form: Form): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  return params.toString();
}

/**
 * A cookie-keeping client over app.inject, like a person's browser: it remembers cookies and the
 * page's CSRF token, and sends the token with every form.
 */
export class TestBrowser {
  cookies = new Map<string, string>();
  csrf = '';

  constructor(private app: FastifyInstance) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
    // CSRF tokens are bound to the session: after signing in or out a browser loads its next page
    // (and that page's token) before posting again.
    else if ((res.cookies as Array<{ name: string }>).some((c) => c.name === 'sid' || c.name === 'echoes_admin')) this.csrf = '';
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader, ...headers } });
    this.remember(res);
    return res;
  }

  /** Makes sure a CSRF token is known (loads a page that carries one). */
  async ensureCsrf(): Promise<string> {
    if (!this.csrf) await this.get('/'); // /login redirects a signed-in browser; the landing page always renders
    return this.csrf;
  }

  async post(url: string, form: Form = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    await this.ensureCsrf();
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: encodeForm({ _csrf: this.csrf, ...form }),
    });
    this.remember(res);
    return res;
  }

  /** A multipart POST; the CSRF token travels in the header, as the page's script sends it. */
  async postMultipart(url: string, parts: MultipartPart[], headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    await this.ensureCsrf();
    const { payload, contentType } = multipartBody(parts);
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader, 'content-type': contentType, 'x-csrf-token': this.csrf, ...headers },
      payload,
    });
    this.remember(res);
    return res;
  }

  /** Signs in through the dev sign-in form (Google not configured in most tests). */
  async signInDev(email: string, name = 'Test User'): Promise<void> {
    const res = await this.post('/auth/dev', { email, name, next: '/projects' });
    if (res.statusCode !== 303) throw new Error(`dev sign-in failed: ${res.statusCode} ${res.body.slice(0, 200)}`);
    this.csrf = '';
    await this.get('/'); // refresh the token after the session rotated
  }
}
