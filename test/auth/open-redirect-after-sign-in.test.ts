import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { accountFor, startGoogleFake, type GoogleFake } from '../fakes/google.js';
import { signInWithGoogle } from '../auth/google-flow.js';
import { safeReturnPath } from '../../src/platform/safe-return-path.js';

// Issue 16, item 1: every place that sends a person on after signing in (GET /login?next=, the
// dev sign-in's and Google's `next`, the return path require-user remembers) must land on a path
// of this site, whatever the link said. Known open-redirect payloads, each checked as the browser
// would resolve the Location header.

const SITE = 'https://echoes.example';
const long = `/${'a/'.repeat(1100)}x`;

const PAYLOADS: string[] = [
  // protocol-relative and scheme URLs
  '//evil.example',
  '///evil.example',
  '////evil.example/phish',
  'https://evil.example',
  'http:evil.example',
  'https:/evil.example',
  '//evil.example/%2e%2e',
  // dot segments the parser removes into "//"
  '/.//evil.example',
  '/..//evil.example',
  '/./..//evil.example/phish',
  '/a/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/.%2e//evil.example',
  '/a/%2e%2e//evil.example',
  // encoded slashes and backslashes
  '/%2fevil.example',
  '/%2F%2Fevil.example',
  '/%252f%252fevil.example',
  '/%5cevil.example',
  '/%5C%5Cevil.example',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '/%09/evil.example',
  // tabs, newlines and other controls
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/%0d%0aSet-Cookie:%20x=1',
  '/\r\nLocation: https://evil.example',
  '/ /evil.example',
  '/\u0000/evil.example',
  // other schemes
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  '/javascript:alert(1)//%0a',
  'data:text/html,<script>alert(1)</script>',
  // userinfo and look-alike hosts
  '//echoes.example@evil.example',
  'https://echoes.example@evil.example',
  '@evil.example',
  '/@evil.example/..//evil.example',
  // odd shapes
  'evil.example',
  '',
  ' /projects',
  long,
];

/** As the browser would read it: a path of this site, with one leading slash. */
function expectSameSite(location: unknown, label: string) {
  expect(typeof location, label).toBe('string');
  const loc = String(location);
  expect(loc, label).toMatch(/^\/(?![/\\])/);
  expect(loc, label).not.toMatch(/[\u0000-\u0020\u007f\\]/);
  const resolved = new URL(loc, SITE);
  expect(resolved.origin, label).toBe(SITE);
  expect(resolved.pathname, label).not.toMatch(/^\/\//);
}

describe('safeReturnPath', () => {
  it('has at least 30 payloads to try', () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(PAYLOADS.map((p) => [JSON.stringify(p).slice(0, 60), p]))('%s falls back to the default', (_label, payload) => {
    expect(safeReturnPath(payload)).toBe('/projects');
  });

  it.each([
    ['/projects/1?tab=clips#top', '/projects/1?tab=clips#top'],
    ['/referrals', '/referrals'],
    ['/admin/users?q=ann%20lee', '/admin/users?q=ann%20lee'],
    ['/a/../referrals', '/referrals'],
  ])('keeps the same-site path %s', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});

let t: TestApp;
let g: TestApp;
let google: GoogleFake;
beforeAll(async () => {
  google = await startGoogleFake();
  [t, g] = await Promise.all([createTestApp(), createTestApp({ ...google.env })]);
});
afterAll(async () => {
  await t?.close();
  await g?.close();
  await google?.stop();
});

describe('GET /login?next= as a signed-in person', () => {
  it('redirects every payload to a same-site path', async () => {
    const b = new TestBrowser(t.app);
    expect((await b.post('/auth/dev', { email: 'redirects@example.com' })).statusCode).toBe(303);
    for (const payload of PAYLOADS) {
      const res = await b.get(`/login?next=${encodeURIComponent(payload)}`);
      expect(res.statusCode, payload).toBe(303);
      expectSameSite(res.headers.location, payload);
    }
  });

  it('still returns to a real page', async () => {
    const b = new TestBrowser(t.app);
    await b.post('/auth/dev', { email: 'redirects-ok@example.com' });
    expect((await b.get('/login?next=%2Freferrals')).headers.location).toBe('/referrals');
  });
});

describe('the dev sign-in and Google callback `next`', () => {
  it('the dev sign-in lands every payload on a same-site path', async () => {
    // One person per payload: sign-in attempts are limited per account (docs/decisions/0019).
    for (const [i, payload] of PAYLOADS.entries()) {
      const b = new TestBrowser(t.app);
      const res = await b.post('/auth/dev', { email: `dev-next-${i}@example.com`, next: payload });
      expect(res.statusCode, payload).toBe(303);
      expectSameSite(res.headers.location, payload);
    }
  });

  it('the Google callback lands every payload on a same-site path', async () => {
    for (const [i, payload] of PAYLOADS.entries()) {
      google.setAccount(accountFor(`Redirect Tester ${i}`));
      const b = new TestBrowser(g.app);
      const res = await signInWithGoogle(b, payload);
      expect(res.statusCode, payload).toBe(303);
      expectSameSite(res.headers.location, payload);
    }
  });
});

describe('the return path require-user remembers', () => {
  it('sends an htmx request from a crafted page URL to a same-site path', async () => {
    for (const current of ['https://echoes.example/.//evil.example', 'https://echoes.example//evil.example/x', 'https://echoes.example/%2e//evil.example']) {
      const res = await t.app.inject({ url: '/referrals', headers: { 'hx-request': 'true', 'hx-current-url': current } });
      const target = new URL(String(res.headers['hx-redirect']), SITE);
      expect(target.pathname).toBe('/login');
      expectSameSite(target.searchParams.get('next'), current);
    }
  });
});
