import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Google account as the v3 userinfo endpoint describes it. */
export interface GoogleAccount {
  sub: string;
  name: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  email: string;
  email_verified?: boolean;
  locale?: string;
}

export interface GoogleFake {
  url: string;
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  clientId: string;
  clientSecret: string;
  /** Settings that point the app at this fake. */
  env: Record<string, string>;
  /** The account the authorize endpoint signs in as (unless `?account=<sub|email>` says otherwise). */
  setAccount(profile: GoogleAccount): void;
  /** When true, the authorize endpoint answers as if the person clicked "Cancel". */
  setDecline(decline: boolean): void;
  /** How many token exchanges succeeded (a test can check that a failure never reached Google). */
  readonly tokensIssued: number;
  stop(): Promise<void>;
}

const rand = () => randomBytes(18).toString('base64url');

export function accountFor(name: string, extra: Partial<GoogleAccount> = {}): GoogleAccount {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '.');
  const [given = name, family = ''] = name.split(' ');
  return {
    sub: `1${randomBytes(9).readBigUInt64BE().toString().padStart(20, '0')}`,
    name,
    given_name: given,
    family_name: family,
    picture: `https://lh3.googleusercontent.com/a/fake-${slug}=s96-c`,
    email: `${slug}.${randomBytes(3).toString('hex')}@gmail.com`,
    email_verified: true,
    locale: 'en',
    ...extra,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Google's three OAuth endpoints on 127.0.0.1, strict like the real ones: the authorize step
 * redirects straight back (no consent screen), codes work once and only for the client and
 * redirect_uri they were issued to, userinfo needs a Bearer token.
 */
export async function startGoogleFake(opts: { clientId?: string; clientSecret?: string } = {}): Promise<GoogleFake> {
  const clientId = opts.clientId ?? 'fake-client-id.apps.googleusercontent.com';
  const clientSecret = opts.clientSecret ?? 'fake-client-secret';
  const accounts = new Map<string, GoogleAccount>();
  const codes = new Map<string, { account: GoogleAccount; redirectUri: string; scope: string }>();
  const tokens = new Map<string, GoogleAccount>();
  let current: GoogleAccount | null = null;
  let decline = false;
  let tokensIssued = 0;

  function authorize(url: URL, res: http.ServerResponse): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    if (q.get('client_id') !== clientId || !redirectUri) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Error 400: invalid_request (client_id or redirect_uri)');
      return;
    }
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const chosen = q.get('account') ?? q.get('login_hint');
    const account = chosen ? accounts.get(chosen) : current;
    if (decline || q.get('decline') === '1') {
      back.searchParams.set('error', 'access_denied');
    } else if (q.get('response_type') !== 'code' || !account) {
      back.searchParams.set('error', account ? 'unsupported_response_type' : 'invalid_request');
    } else {
      const code = `4/${rand()}`;
      codes.set(code, { account, redirectUri, scope: q.get('scope') ?? '' });
      back.searchParams.set('code', code);
      back.searchParams.set('scope', q.get('scope') ?? '');
    }
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) [id, secret] = Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) as [string, string];
    if (id !== clientId || secret !== clientSecret) return json(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    if (form.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code); // one use, even when the rest of the request is wrong
    if (!issued || issued.redirectUri !== form.get('redirect_uri')) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
    }
    const accessToken = `ya29.${rand()}`;
    tokens.set(accessToken, issued.account);
    tokensIssued++;
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3599, scope: issued.scope, id_token: `fake.${rand()}.jwt` });
  }

  function userinfo(req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const account = m ? tokens.get(m[1]!) : undefined;
    if (!account) return json(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' });
    json(res, 200, account);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /o/oauth2/v2/auth') return authorize(url, res);
    if (route === 'POST /token') return void token(req, res).catch(() => json(res, 500, { error: 'internal' }));
    if (route === 'GET /oauth2/v3/userinfo') return userinfo(req, res);
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: GoogleFake = {
    url,
    authUrl: `${url}/o/oauth2/v2/auth`,
    tokenUrl: `${url}/token`,
    userinfoUrl: `${url}/oauth2/v3/userinfo`,
    clientId,
    clientSecret,
    env: {},
    setAccount(profile) {
      accounts.set(profile.sub, profile);
      accounts.set(profile.email, profile);
      current = profile;
    },
    setDecline(value) {
      decline = value;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  fake.env = {
    GOOGLE_CLIENT_ID: clientId,
    GOOGLE_CLIENT_SECRET: clientSecret,
    GOOGLE_AUTH_URL: fake.authUrl,
    GOOGLE_TOKEN_URL: fake.tokenUrl,
    GOOGLE_USERINFO_URL: fake.userinfoUrl,
  };
  return fake;
}
